// The app reads some files of the checkout itself, outside the sandbox
// (AGENTS.md, package.json for the test command, the files the tools open).
// Whoever controls the repository, or talks the agent into it, chooses what
// those names are: a symlink to a host file, a device that never ends, a FIFO
// that never opens. None may leak a host file to the model or hang the app.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MAINTAINER, OWNER, REPO, startTestApp, type TestApp } from "../support/app.ts";
import { issuesEvent } from "../support/webhooks.ts";
import { commitSymlinks } from "./plant.ts";
import { create, edit, finish, quickRepo, shell, toolResultsSeen, view } from "./turns.ts";

let app: TestApp | undefined;
let hostDir: string | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
  if (hostDir) await rm(hostDir, { recursive: true, force: true });
  hostDir = undefined;
});

async function runJob(a: TestApp, timeoutMs = 45_000) {
  const issue = a.fake.addIssue({
    owner: OWNER,
    repo: REPO,
    title: "Tidy up",
    body: "Please tidy up.",
    user: "reporter",
  });
  await a.send(
    issuesEvent("labeled", a.target(MAINTAINER), {
      issue: { number: issue.number, title: issue.title, body: issue.body ?? "" },
      label: "agent",
    }),
  );
  const [job] = await a.waitForJobs({ timeoutMs });
  expect(a.model.errors).toEqual([]);
  return job!;
}

/** A file of the host's, outside every workspace, holding a canary. */
async function hostSecretFile(): Promise<{ file: string; canary: string }> {
  hostDir = await mkdtemp(path.join(tmpdir(), "host-secret-"));
  const canary = `host-canary-${randomBytes(12).toString("hex")}`;
  const file = path.join(hostDir, "credentials");
  await writeFile(file, `password=${canary}\n`);
  return { file, canary };
}

const modelSaw = (a: TestApp) => JSON.stringify(a.model.requests.map((r) => r.body));

describe("repository files the app reads on the host", () => {
  it("does not give the model a host file that AGENTS.md links to, and falls back to CLAUDE.md", async () => {
    const { file, canary } = await hostSecretFile();
    app = await startTestApp({ files: quickRepo({ "CLAUDE.md": "Use tabs.\n" }), turns: [finish("Nothing to do.")] });
    await commitSymlinks(app, OWNER, REPO, { "AGENTS.md": file });
    await runJob(app);
    expect(modelSaw(app)).not.toContain(canary);
    expect(modelSaw(app)).toContain("Repository instructions (from CLAUDE.md)");
  });

  it("does not follow instructions linked to the app's own environment in /proc", async () => {
    app = await startTestApp({ files: quickRepo(), turns: [finish("Nothing to do.")] });
    await commitSymlinks(app, OWNER, REPO, { "AGENTS.md": "/proc/self/environ" });
    await runJob(app);
    expect(modelSaw(app)).not.toContain("Repository instructions");
  });

  it("finishes the job when package.json and the instructions are links to endless devices", async () => {
    // No `test:` in the config, so the app reads package.json to detect the test command.
    app = await startTestApp({
      files: { "README.md": "# widgets\n", ".github/agent.yml": "setup: null\n" },
      turns: [finish("Nothing to do.")],
    });
    await commitSymlinks(app, OWNER, REPO, {
      "package.json": "/dev/zero",
      "AGENTS.md": "/dev/urandom",
      "pyproject.toml": "/dev/zero",
      Makefile: "/dev/zero",
    });
    const job = await runJob(app, 30_000);
    expect(job.outcome?.status).toBe("no_change");
  });
});

describe("special files the agent makes", () => {
  it("refuses FIFOs in every file tool and in run_tests' filter instead of blocking the app", async () => {
    app = await startTestApp({
      files: quickRepo(
        { "package.json": '{"scripts":{"test":"node --test"}}\n' },
        { test: "npm test", budget: { command_timeout_seconds: 5, test_timeout_seconds: 5 } },
      ),
      turns: [
        shell("mkfifo trap.txt && rm package.json && mkfifo package.json && ls -l trap.txt package.json"),
        view("trap.txt"),
        edit("trap.txt", "a", "b"),
        { toolCalls: [{ name: "insert", arguments: { path: "trap.txt", line: 0, text: "x" } }] },
        create("trap.txt", "x\n", true),
        { toolCalls: [{ name: "run_tests", arguments: { filter: "src/sum.test.js" } }] },
        shell("rm trap.txt package.json && git checkout package.json"),
        finish("Could not do it."),
      ],
    });
    await runJob(app, 30_000);
    const [made, ...results] = toolResultsSeen(app);
    expect(made).toMatch(/^p.* trap\.txt/m);
    const [viewed, edited, inserted, created] = results;
    for (const r of [viewed, edited, inserted, created]) expect(r).toMatch(/`trap\.txt` is not a regular file/);
  });
});

import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { createModelServer, type ModelServer, type Turn } from "../support/model-server.ts";
import { tmpRepo, type TmpRepo } from "../support/tmp-repo.ts";
import { BUGGY_REPO, FIX_TURNS } from "../e2e/fixtures.ts";

const CLI = fileURLToPath(new URL("../../src/cli.ts", import.meta.url));
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function cli(
  args: string[],
  env: Record<string, string> = {},
  cwd?: string,
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: cwd ?? process.cwd(),
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    child.on("close", (code) => resolve({ code, out, err }));
  });
}

async function setup(turns: Turn[]): Promise<{ repo: TmpRepo; model: ModelServer; env: Record<string, string> }> {
  const repo = await tmpRepo({ files: BUGGY_REPO });
  const model = await createModelServer({ turns });
  cleanups.push(
    () => repo.cleanup(),
    () => model.close(),
  );
  return {
    repo,
    model,
    env: { OPENAI_BASE_URL: model.url, OPENAI_API_KEY: "k", AGENT_MODEL: "scripted-model", AGENT_MODEL_RETRIES: "0" },
  };
}

describe("issuesmith run", () => {
  it("fixes a local checkout on a new branch and exits 0 when the tests pass", async () => {
    const { repo, env } = await setup(FIX_TURNS);
    const trajectory = `${repo.dir}/../trajectory-${Date.now()}.json`;
    cleanups.push(() => import("node:fs/promises").then((fs) => fs.rm(trajectory, { force: true })));
    const res = await cli(
      [
        "run",
        "--repo",
        repo.dir,
        "--task",
        "sum() returns the wrong result",
        "--branch",
        "fix-sum",
        "--trajectory",
        trajectory,
      ],
      env,
    );
    expect(res.err).toBe("");
    expect(res.code).toBe(0);
    expect(res.out).toContain("Result: tests pass");
    expect(res.out).toContain("Branch: fix-sum");
    // The user's working tree is untouched; the branch holds the commit.
    expect(await readFile(`${repo.dir}/src/sum.js`, "utf8")).toContain("a - b");
    expect(await repo.git(["show", "fix-sum:src/sum.js"])).toContain("a + b");
    const t = JSON.parse(await readFile(trajectory, "utf8")) as {
      entries: Array<{ type: string }>;
      outcome: { status: string };
    };
    expect(t.entries.filter((e) => e.type === "tool").length).toBe(5);
    expect(t.outcome.status).toBe("tests pass");
  });

  it("with --no-commit leaves the change in the working tree", async () => {
    const { repo, env } = await setup(FIX_TURNS.slice(2));
    const res = await cli(["run", "--repo", repo.dir, "--task", "fix sum", "--no-commit"], env);
    expect(res.code).toBe(0);
    expect(await readFile(`${repo.dir}/src/sum.js`, "utf8")).toContain("a + b");
    expect(await repo.git(["branch", "--list"])).not.toContain("agent/");
  });

  it("exits 1 when the tests still fail", async () => {
    const { repo, env } = await setup([
      { toolCalls: [{ name: "edit", arguments: { path: "src/sum.js", old_str: "a - b", new_str: "a * b" } }] },
      { toolCalls: [{ name: "finish", arguments: { summary: "tried" } }] },
      { toolCalls: [{ name: "finish", arguments: { summary: "tried" } }] },
      { toolCalls: [{ name: "finish", arguments: { summary: "tried" } }] },
    ]);
    const res = await cli(["run", "--repo", repo.dir, "--task", "fix sum"], env);
    expect(res.code).toBe(1);
    expect(res.out).toContain("Result: tests fail");
  });

  it("answers bad flags and a missing model with one clear line each", async () => {
    const bad = await cli(["run", "--repo", ".", "--task", "x", "--frobnicate"]);
    expect(bad.code).toBe(2);
    expect(bad.err.trim().split("\n")[0]).toMatch(/^issuesmith run: Unknown option '--frobnicate'/);
    const noTask = await cli(["run", "--repo", "."]);
    expect(noTask.code).toBe(2);
    expect(noTask.err.trim()).toBe('issuesmith run: a task is required: --task "<text>" or --issue-file <file.md>');
    const noModel = await cli(["run", "--repo", ".", "--task", "x"]);
    expect(noModel.code).toBe(3);
    expect(noModel.err.trim()).toMatch(/^issuesmith run: no model configured: set AGENT_MODEL/);
    const unknown = await cli(["frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.err.trim()).toBe('issuesmith: unknown command "frobnicate" (try issuesmith --help)');
  });

  it("documents every flag in --help", async () => {
    const res = await cli(["run", "--help"]);
    expect(res.code).toBe(0);
    for (const flag of [
      "--repo",
      "--task",
      "--issue-file",
      "--branch",
      "--no-commit",
      "--config",
      "--trajectory",
      "--max-steps",
      "--sandbox",
      "--json",
    ])
      expect(res.out).toContain(flag);
    const top = await cli(["--help"]);
    for (const cmd of ["run", "eval", "show", "worker", "jobs", "doctor"]) expect(top.out).toContain(`  ${cmd}`);
  });
});

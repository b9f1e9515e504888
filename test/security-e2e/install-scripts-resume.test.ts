// The resume case of the install-script attack: the agent plants a
// postinstall and a setup.py, its work is checkpointed to the wip branch, the
// worker is killed (kill -9), and the next worker resumes the job on that
// branch. Its setup still runs the base branch's scripts, never the plant.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { stringify } from "yaml";
import { afterEach, describe, expect, it } from "vitest";
import { MAINTAINER, MODEL_API_KEY, OWNER, REPO, WEBHOOK_SECRET } from "../support/app.ts";
import { startAppProcess } from "../support/app-process.ts";
import { createFakeGitHub } from "../support/fake-github.ts";
import { appKeys } from "../support/keys.ts";
import { createModelServer } from "../support/model-server.ts";
import { fakeTarget, issuesEvent, sendWebhook } from "../support/webhooks.ts";
import { callHome, setupPy, startCanary } from "./canary.ts";
import { create, edit, finish } from "./turns.ts";

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
});

async function until<T>(
  what: string,
  fn: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const packageJson = (scripts: Record<string, string>) =>
  `${JSON.stringify({ name: "widgets", version: "1.0.0", private: true, type: "module", scripts: { test: "node --test", ...scripts } }, null, 2)}\n`;

describe("an install script planted before a crash", () => {
  it("does not run with the network when the job resumes from its wip branch", async () => {
    const canary = await startCanary();
    cleanup.push(() => canary.close());
    const keys = await appKeys();
    const fake = await createFakeGitHub({ appId: 4344, publicKey: keys.publicKey });
    cleanup.push(() => fake.close());
    await fake.addRepo({
      owner: OWNER,
      name: REPO,
      files: {
        "README.md": "# widgets\n",
        "package.json": packageJson({ postinstall: callHome(canary.url, "base-postinstall") }),
        "package-lock.json": `${JSON.stringify({ name: "widgets", version: "1.0.0", lockfileVersion: 3, requires: true, packages: { "": { name: "widgets", version: "1.0.0" } } }, null, 2)}\n`,
        "setup.py": setupPy(canary.url, "base-setup-py"),
        "src/sum.js": "export function sum(a, b) {\n  return a - b;\n}\n",
        ".github/agent.yml": stringify({
          setup: "npm ci --no-audit --no-fund && python3 setup.py -q egg_info",
          setup_network: true,
          budget: { test_rounds: 0 },
        }),
      },
    });
    fake.setPermission(OWNER, REPO, MAINTAINER, "write");
    const root = await mkdtemp(path.join(tmpdir(), "issuesmith-resume-"));
    cleanup.push(() => rm(root, { recursive: true, force: true }));

    let release!: () => void;
    const hold = new Promise<void>((r) => (release = r));
    cleanup.push(async () => release());
    const model = await createModelServer({
      apiKey: MODEL_API_KEY,
      turns: [
        create(
          "package.json",
          packageJson({
            postinstall: callHome(canary.url, "planted-postinstall"),
            prepare: callHome(canary.url, "planted-prepare"),
          }),
          true,
        ),
        create("setup.py", setupPy(canary.url, "planted-setup-py"), true),
        { pause: hold },
        edit("src/sum.js", "return a - b;", "return a + b;"),
        finish("Fixed sum."),
      ],
    });
    cleanup.push(() => model.close());
    const env = {
      APP_ID: String(fake.appId),
      PRIVATE_KEY: keys.privateKey,
      WEBHOOK_SECRET,
      GHE_HOST: fake.host,
      GHE_PROTOCOL: "http",
      OPENAI_BASE_URL: model.url,
      OPENAI_API_KEY: MODEL_API_KEY,
      AGENT_MODEL: "scripted-model",
      AGENT_MODEL_RETRIES: "0",
      AGENT_QUEUE: "sqlite",
      AGENT_DATA_DIR: path.join(root, "data"),
      AGENT_WORK_DIR: path.join(root, "work"),
      AGENT_GITHUB_THROTTLE: "false",
      AGENT_PROGRESS_INTERVAL_MS: "0",
      AGENT_CHECKPOINT_INTERVAL_S: "0",
      LOG_LEVEL: "info",
    };

    const first = await startAppProcess({ env, cwd: root });
    cleanup.push(() => first.kill("SIGKILL"));
    const issue = fake.addIssue({
      owner: OWNER,
      repo: REPO,
      title: "sum() subtracts",
      body: "sum(2, 3) gives -1.",
      user: "reporter",
    });
    await sendWebhook(
      `${first.url}/api/github/webhooks`,
      issuesEvent("labeled", fakeTarget(fake, OWNER, REPO, MAINTAINER), {
        issue: { number: issue.number, title: issue.title },
        label: "agent",
      }),
      { secret: WEBHOOK_SECRET },
    );
    // The plant is checkpointed to the wip branch; then the model hangs and the worker dies.
    await until("the planted setup.py on the wip branch", async () => {
      const wip = (await fake.git(OWNER, REPO, ["for-each-ref", "--format=%(refname:short)", "refs/heads/"]))
        .split("\n")
        .find((b) => b.includes("/wip/"));
      return wip && (await fake.readFile(OWNER, REPO, wip, "setup.py").catch(() => ""))?.includes("planted-setup-py");
    });
    await until(
      "the paused model call",
      () => model.requests.filter((r) => r.path.endsWith("/chat/completions")).length >= 3,
    );
    await first.kill("SIGKILL");
    release();
    expect(canary.hits.filter((h) => h.startsWith("/base-postinstall"))).toHaveLength(1);

    const second = await startAppProcess({ env, cwd: root });
    cleanup.push(() => second.kill("SIGKILL"));
    await until("the pull request", () => fake.state.pulls.length > 0, 90_000).catch((e: unknown) => {
      throw new Error(`${String(e)}\n${second.output.slice(-40).join("\n")}`);
    });
    const pr = fake.state.pulls[0]!;
    expect(await fake.readFile(OWNER, REPO, pr.headRef, "setup.py")).toContain("planted-setup-py");
    // The resumed job installed again, from the base: the base's scripts ran a second time, the plant never.
    expect(canary.hits.filter((h) => h.startsWith("/base-postinstall"))).toHaveLength(2);
    expect(canary.hits.filter((h) => h.startsWith("/base-setup-py"))).toHaveLength(2);
    expect(canary.hits.filter((h) => !h.startsWith("/base-"))).toEqual([]);
    await second.kill("SIGTERM");
  }, 240_000);
});

// The harness's own failures (clone, setup, a hidden test patch that does not
// fit the base) are told apart from the agent's: a kind of their own, no
// model call spent, left out of the resolve rate and counted apart.
import { appendFile, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evalCommand } from "../../src/cli/eval.ts";
import type { TaskResult } from "../../src/eval/run-task.ts";
import { createModelServer, type ModelServer } from "../support/model-server.ts";
import { capture } from "./cli-io.ts";
import { PLANS, planTurn, writeTaskSet, type TaskSet } from "./fixtures.ts";

let model: ModelServer;
let set: TaskSet;
let env: NodeJS.ProcessEnv;

const line = (id: string, fields: Record<string, unknown>) =>
  JSON.stringify({
    id,
    repo: "repo",
    problem_statement: `sum(2, 3) returns -1 instead of 5. [task: ${id}]`,
    test_command: "node --test test/",
    ...("test_patch" in fields ? {} : { test_patch_file: "test.patch" }),
    fail_to_pass: ["adds two numbers"],
    ...fields,
  });

// Each task's scripted answer is the one that resolves the task.
for (const id of [
  "setup-fails",
  "setup-offline",
  "setup-default-network",
  "clone-fails",
  "tests-do-not-fit",
  "resolves",
  "key-refused",
])
  PLANS[id] = PLANS["sum-fixed"]!;

beforeAll(async () => {
  model = await createModelServer({ turns: Array.from({ length: 50 }, () => planTurn) });
  set = await writeTaskSet([]);
  // Offline commands are told so (npm_config_offline): a setup that needs it set fails without network.
  const needsNetwork =
    'test "$npm_config_offline" != true || { echo "npm would go to the registry, but the sandbox has no network" >&2; exit 7; }';
  await appendFile(
    set.tasksFile,
    [
      line("setup-fails", { setup: "echo cannot build the native addon >&2; exit 3" }),
      line("setup-offline", { setup: needsNetwork, setup_network: false }),
      line("setup-default-network", { setup: needsNetwork }),
      line("clone-fails", { repo: "file:///nonexistent/issuesmith-eval/repo.git" }),
      line("tests-do-not-fit", {
        test_patch:
          "diff --git a/test/other.test.js b/test/other.test.js\n--- a/test/other.test.js\n+++ b/test/other.test.js\n@@ -1,1 +1,1 @@\n-nothing here\n+something\n",
      }),
      line("resolves", {}),
    ].join("\n") + "\n",
  );
  env = {
    OPENAI_BASE_URL: model.url,
    OPENAI_API_KEY: "sk-test-eval-key-0123456789",
    AGENT_MODEL: "scripted-model",
    AGENT_WORK_DIR: tmpdir(),
    AGENT_MODEL_RETRIES: "0",
  };
});

afterAll(async () => {
  await model?.close();
  if (set) await rm(set.dir, { recursive: true, force: true });
});

describe("eval failures of the harness, not of the agent", () => {
  it("gives a failed setup, clone or hidden-test patch its own kind, spends no model call on it, and leaves it out of the resolve rate", async () => {
    const outDir = path.join(set.dir, "out");
    const run = await capture((io) => evalCommand([set.tasksFile, "--out", outDir, "--max-steps", "3"], io), env);
    expect(run.err).toBe("");
    expect(run.code).toBe(1);
    expect(run.out).toContain("Resolved 2 of 2 scored · 4 not scored (harness failure)");
    expect(run.out).toMatch(/\] ! setup-fails · setup_error \(harness, not scored\): the setup command/);

    const results = (await readFile(path.join(outDir, "results.jsonl"), "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as TaskResult);
    const byId = new Map(results.map((r) => [r.id, r]));
    expect(byId.get("setup-fails")).toMatchObject({ resolved: false, failure: "setup_error", scored: false, steps: 0 });
    expect(byId.get("setup-fails")!.reason).toContain(
      "the setup command `echo cannot build the native addon >&2; exit 3` failed (exit 3)",
    );
    expect(byId.get("setup-fails")!.reason).toContain("cannot build the native addon");
    expect(byId.get("setup-offline")).toMatchObject({ failure: "setup_error", scored: false });
    expect(byId.get("setup-offline")!.reason).toContain("without network (setup_network: false)");
    expect(byId.get("setup-offline")!.reason).toContain("the sandbox has no network");
    // A task that does not say takes the app's default (setup with network), as `npm start` would.
    expect(byId.get("setup-default-network")).toMatchObject({ resolved: true, failure: null, scored: true });
    expect(byId.get("clone-fails")).toMatchObject({ failure: "clone_error", scored: false });
    expect(byId.get("clone-fails")!.reason).toMatch(/^the clone failed: /);
    expect(byId.get("tests-do-not-fit")).toMatchObject({ failure: "harness_error", scored: false });
    expect(byId.get("tests-do-not-fit")!.reason).toContain("the hidden test patch does not apply to the base commit");
    expect(byId.get("resolves")).toMatchObject({ resolved: true, scored: true });

    // The model was asked only about the tasks the harness could score.
    const asked = new Set(model.requests.map((r) => /\[task: ([\w-]+)\]/.exec(JSON.stringify(r.body))?.[1]));
    expect(asked).toEqual(new Set(["setup-default-network", "resolves"]));

    const report = await readFile(path.join(outDir, "report.md"), "utf8");
    expect(report).toContain("**Resolved: 2 of 2 scored (100.0%)**");
    expect(report).toContain("Not scored: 4 harness failures");
    expect(report).toContain("| setup_error | 2 | harness (not scored) |");
    expect(report).toContain("| clone_error | 1 | harness (not scored) |");
    expect(report).toContain("| harness_error | 1 | harness (not scored) |");
    expect(report).toMatch(/\| \[setup-fails\]\(.*\| ⚠️ not scored \| setup_error: /);
  });
});

describe("eval when the model's endpoint fails, not the agent", () => {
  it("reports a refused key as model_unavailable, left out of the resolve rate, not as the agent's error", async () => {
    const keyed = await createModelServer({ turns: [planTurn], apiKey: "sk-the-right-key-0123456789" });
    try {
      const own = await writeTaskSet([]);
      await appendFile(own.tasksFile, line("key-refused", {}) + "\n");
      const outDir = path.join(own.dir, "out");
      const run = await capture((io) => evalCommand([own.tasksFile, "--out", outDir, "--max-steps", "3"], io), {
        ...env,
        OPENAI_BASE_URL: keyed.url,
      });
      expect(run.code).toBe(1);
      expect(run.out).toContain("Resolved 0 of 0 scored · 1 not scored");
      const [result] = (await readFile(path.join(outDir, "results.jsonl"), "utf8"))
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as TaskResult);
      expect(result).toMatchObject({ id: "key-refused", resolved: false, failure: "model_unavailable", scored: false });
      expect(result!.reason).toContain("refused the API key (401)");
      const report = await readFile(path.join(outDir, "report.md"), "utf8");
      expect(report).toContain("| model_unavailable | 1 | harness (not scored) |");
      await rm(own.dir, { recursive: true, force: true });
    } finally {
      await keyed.close();
    }
  });
});

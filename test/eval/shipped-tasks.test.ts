// The task set that ships in bench/tasks: every hidden test patch really
// fails at the base (the tasks can be failed), and every reference fix,
// applied through the agent's own tools by `eval --reference`, resolves its
// task (the tasks can be passed, and the harness scores them right).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_REPO_CONFIG } from "../../src/config/repo-config.ts";
import { runDirect } from "../../src/eval/direct.ts";
import { ReferenceModel, referenceEdits } from "../../src/eval/reference.ts";
import { runEval } from "../../src/eval/run-set.ts";
import { loadTasks, type EvalTask } from "../../src/eval/task.ts";
import { createLogger } from "../../src/logger.ts";
import { Redactor } from "../../src/security/redact.ts";
import { createRegistry, defaultTools } from "../../src/tools/registry.ts";
import { createRunner } from "../../src/workspace/sandbox.ts";
import type { CommandRunner } from "../../src/workspace/types.ts";

const TASKS_FILE = path.resolve("bench/tasks/tasks.jsonl");
let tasks: EvalTask[];
let runner: CommandRunner;
let out: string;
const log = createLogger({ log: { level: "silent", format: "json" } }, new Redactor());

beforeAll(async () => {
  tasks = await loadTasks(TASKS_FILE);
  runner = await createRunner("auto", log);
  out = await mkdtemp(path.join(tmpdir(), "issuesmith-shipped-"));
});

afterAll(async () => {
  if (out) await rm(out, { recursive: true, force: true });
});

describe("the shipped task set", () => {
  it("has at least 12 tasks in JavaScript, TypeScript and Python: bug fixes, features, refactors and performance fixes", () => {
    expect(tasks.length).toBeGreaterThanOrEqual(12);
    expect(new Set(tasks.map((t) => t.language))).toEqual(new Set(["javascript", "typescript", "python"]));
    expect(new Set(tasks.map((t) => t.kind))).toEqual(new Set(["bug", "feature", "refactor", "performance"]));
    for (const t of tasks) {
      expect(t.referencePatch, t.id).toBeTruthy();
      expect(t.failToPass?.length, t.id).toBeGreaterThan(0);
      expect(t.passToPass?.length, t.id).toBeGreaterThan(0);
      // The agent sees the problem, never the tests that decide it.
      for (const name of t.failToPass ?? []) expect(t.problemStatement, t.id).not.toContain(name.split("::").at(-1)!);
    }
  });

  it("fails every task at its base: no fail-to-pass test passes before the fix", { timeout: 300_000 }, async () => {
    const results: { id: string; resolved: boolean; passing: string[] }[] = [];
    const queue = [...tasks];
    const worker = async () => {
      for (let task = queue.shift(); task; task = queue.shift()) {
        const r = await runDirect(task, { runner, workDir: tmpdir(), withFix: false });
        results.push({
          id: task.id,
          resolved: r.resolved,
          passing: Object.entries(r.tests.failToPass ?? {})
            .filter(([, s]) => s === "passed")
            .map(([n]) => n),
        });
      }
    };
    await Promise.all([worker(), worker()]);
    expect(results).toHaveLength(tasks.length);
    expect(results.filter((r) => r.resolved || r.passing.length > 0)).toEqual([]);
  });

  it("resolves every task with its reference fix applied through the agent's tools", { timeout: 300_000 }, async () => {
    const run = await runEval({
      tasks,
      tasksFile: TASKS_FILE,
      outDir: out,
      concurrency: 2,
      resume: false,
      modelName: "reference",
      deps: {
        runner,
        tools: createRegistry(defaultTools()),
        redactor: new Redactor(),
        model: async (task, source) =>
          new ReferenceModel(await referenceEdits(source.source, source.baseCommit, task.referencePatch!, tmpdir())),
        config: DEFAULT_REPO_CONFIG,
        contextWindow: 128_000,
        maxOutputTokens: 4_096,
        workDir: tmpdir(),
        log,
        signal: new AbortController().signal,
      },
    });
    const unresolved = run.results
      .filter((r) => !r.resolved)
      .map((r) => ({ id: r.id, failure: r.failure, reason: r.reason, tail: r.tests?.outputTail.slice(-800) }));
    expect(unresolved).toEqual([]);
    expect(run.results).toHaveLength(tasks.length);
    for (const r of run.results) expect(r.steps, r.id).toBe(2);
  });
});

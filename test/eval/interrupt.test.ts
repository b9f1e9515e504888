// Ctrl-C loses no finished result: an interrupted run keeps every result it
// appended, records nothing for the task it stopped, and --resume finishes.
import { readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_REPO_CONFIG } from "../../src/config/repo-config.ts";
import { Cancelled } from "../../src/errors.ts";
import { runEval } from "../../src/eval/run-set.ts";
import type { TaskRunDeps } from "../../src/eval/run-task.ts";
import { loadTasks } from "../../src/eval/task.ts";
import { OpenAIChatModel } from "../../src/llm/chat-model.ts";
import { createLogger } from "../../src/logger.ts";
import { Redactor } from "../../src/security/redact.ts";
import { createRegistry, defaultTools } from "../../src/tools/registry.ts";
import { createRunner } from "../../src/workspace/sandbox.ts";
import { createModelServer, type ModelRequest, type ModelServer } from "../support/model-server.ts";
import { planTurn, writeTaskSet, type TaskSet } from "./fixtures.ts";

let model: ModelServer;
let set: TaskSet;
const controller = new AbortController();

beforeAll(async () => {
  // On the first request of sum-wrong, the user presses Ctrl-C.
  const interrupting = (req: ModelRequest) => {
    if (JSON.stringify(req.body).includes("[task: sum-wrong]") && !controller.signal.aborted)
      controller.abort(new Cancelled("interrupted (Ctrl-C)"));
    return planTurn(req);
  };
  model = await createModelServer({ turns: Array.from({ length: 100 }, () => interrupting) });
  set = await writeTaskSet(["sum-fixed", "sum-wrong", "sum-untouched"]);
});

afterAll(async () => {
  await model?.close();
  if (set) await rm(set.dir, { recursive: true, force: true });
});

async function deps(signal: AbortSignal): Promise<Omit<TaskRunDeps, "outDir">> {
  const log = createLogger({ log: { level: "silent", format: "json" } }, new Redactor());
  return {
    runner: await createRunner("auto", log),
    tools: createRegistry(defaultTools()),
    redactor: new Redactor(),
    model: async () =>
      new OpenAIChatModel({
        baseUrl: model.url,
        apiKey: "sk-none",
        model: "scripted-model",
        protocol: "auto",
        timeoutMs: 30_000,
        retries: 0,
        maxOutputTokens: 4_096,
      }),
    config: DEFAULT_REPO_CONFIG,
    contextWindow: 128_000,
    maxOutputTokens: 4_096,
    workDir: tmpdir(),
    log,
    signal,
  };
}

describe("an interrupted eval run", () => {
  it("keeps the finished results, records none for the interrupted task, and resumes from there", async () => {
    const tasks = await loadTasks(set.tasksFile);
    const outDir = path.join(set.dir, "out");
    const first = await runEval({
      tasks,
      tasksFile: set.tasksFile,
      outDir,
      concurrency: 1,
      resume: false,
      modelName: "scripted-model",
      deps: await deps(controller.signal),
    });
    expect(first.interrupted).toBe(true);
    expect(first.results.map((r) => r.id)).toEqual(["sum-fixed"]);
    const lines = (await readFile(path.join(outDir, "results.jsonl"), "utf8")).trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ id: "sum-fixed", resolved: true });
    const report = await readFile(path.join(outDir, "report.md"), "utf8");
    expect(report).toContain("1 of 3 tasks run (interrupted; `--resume` runs the rest)");
    expect(report).toMatch(/\| sum-wrong \| javascript \| bug \| — \| not run \|/);

    const second = await runEval({
      tasks,
      tasksFile: set.tasksFile,
      outDir,
      concurrency: 1,
      resume: true,
      modelName: "scripted-model",
      deps: await deps(new AbortController().signal),
    });
    expect(second.interrupted).toBe(false);
    expect(second.skipped).toBe(1);
    expect(second.fresh.map((r) => r.id)).toEqual(["sum-wrong", "sum-untouched"]);
    expect(second.results.map((r) => [r.id, r.resolved, r.failure])).toEqual([
      ["sum-fixed", true, null],
      ["sum-wrong", false, "tests_fail"],
      ["sum-untouched", false, "no_patch"],
    ]);
  });
});

// The shipped task set (bench/tasks) through `issuesmith eval`, against the
// floor. Without a model configured, the scripted reference model applies
// each task's known fix through the agent's own tools: the resolve rate must
// be 100%, and the time per task beside the floor — the same clone, fix and
// tests done directly with git and the sandbox — is what the harness costs.
// With OPENAI_BASE_URL and AGENT_MODEL set, the same run measures that model.
// Run alone with `node bench/eval.ts` (BENCH_EVAL_TASKS=id,id picks tasks,
// BENCH_EVAL_REPS=n the runs per task; the best of them counts).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { envSecrets, loadEnv } from "../src/config/env.ts";
import { DEFAULT_REPO_CONFIG } from "../src/config/repo-config.ts";
import { runDirect } from "../src/eval/direct.ts";
import { ReferenceModel, referenceEdits } from "../src/eval/reference.ts";
import { runEval } from "../src/eval/run-set.ts";
import type { TaskResult, TaskRunDeps } from "../src/eval/run-task.ts";
import { loadTasks, type EvalTask } from "../src/eval/task.ts";
import { OpenAIChatModel, chatModelOptions } from "../src/llm/chat-model.ts";
import { createLogger } from "../src/logger.ts";
import { Redactor } from "../src/security/redact.ts";
import { createRegistry, defaultTools } from "../src/tools/registry.ts";
import { createRunner } from "../src/workspace/sandbox.ts";

const TASKS_FILE = fileURLToPath(new URL("./tasks/tasks.jsonl", import.meta.url));

export async function benchEval(): Promise<{ name: string; figures: Record<string, number | string> }> {
  const env = loadEnv({ ...process.env, LOG_LEVEL: "silent" });
  const real = Boolean(process.env.OPENAI_BASE_URL && env.model.name);
  const redactor = new Redactor(envSecrets(env));
  const log = createLogger({ log: { level: "silent", format: "json" } }, redactor);
  const runner = await createRunner(env.sandbox, log);
  const pick = process.env.BENCH_EVAL_TASKS?.split(",").map((s) => s.trim());
  const tasks = (await loadTasks(TASKS_FILE)).filter((t) => !pick || pick.includes(t.id));
  const out = await mkdtemp(path.join(tmpdir(), "issuesmith-bench-eval-"));
  const reps = Math.max(1, Number(process.env.BENCH_EVAL_REPS ?? 2));
  const modelOptions = real ? chatModelOptions(env) : undefined;
  const deps: Omit<TaskRunDeps, "outDir"> = {
    runner,
    tools: createRegistry(defaultTools()),
    redactor,
    model: async (task, source) =>
      modelOptions
        ? new OpenAIChatModel(modelOptions)
        : new ReferenceModel(await referenceEdits(source.source, source.baseCommit, task.referencePatch!, env.workDir)),
    config: DEFAULT_REPO_CONFIG,
    prices: env.model.prices,
    contextWindow: env.model.contextWindow,
    maxOutputTokens: env.model.maxOutputTokens,
    workDir: env.workDir,
    log,
    signal: new AbortController().signal,
  };
  let runs = 0;
  const harness = async (task: EvalTask): Promise<TaskResult> => {
    const run = await runEval({
      tasks: [task],
      tasksFile: TASKS_FILE,
      outDir: path.join(out, String(runs++)),
      concurrency: 1,
      resume: false,
      modelName: real ? env.model.name! : "reference",
      deps,
    });
    return run.results[0]!;
  };
  try {
    // Warm the disk cache and the sandbox once per language (compilers, interpreters), unmeasured.
    const seen = new Set<string | undefined>();
    for (const task of tasks) {
      if (seen.has(task.language)) continue;
      seen.add(task.language);
      await runDirect(task, { runner, workDir: env.workDir, withFix: true });
    }
    // Floor and harness interleaved, task by task, so load on the machine hits both alike;
    // the best of `reps` runs each (a real model runs once: its answers vary, and it costs).
    const rows: { result: TaskResult; floorMs: number; harnessMs: number }[] = [];
    for (const task of tasks) {
      let floorMs = Infinity;
      let harnessMs = Infinity;
      let result: TaskResult | undefined;
      for (let i = 0; i < (real ? 1 : reps); i++) {
        const direct = await runDirect(task, { runner, workDir: env.workDir, withFix: true });
        if (!direct.resolved)
          throw new Error(`${task.id}: the reference fix does not pass the hidden tests when applied directly`);
        floorMs = Math.min(floorMs, direct.wallMs);
        const r = await harness(task);
        harnessMs = Math.min(harnessMs, r.wallMs);
        result ??= r;
        if (!r.resolved) result = r;
      }
      rows.push({ result: result!, floorMs, harnessMs });
    }
    const resolved = rows.filter((r) => r.result.resolved).length;
    const figures: Record<string, number | string> = {
      model: real ? env.model.name! : "reference (scripted: the known fix through the agent's tools)",
      sandbox: runner.kind,
      tasks: tasks.length,
      resolved,
      resolveRate: `${((100 * resolved) / Math.max(1, rows.length)).toFixed(1)}%`,
    };
    for (const { result: r, floorMs, harnessMs } of rows) {
      figures[r.id] =
        `${r.resolved ? "resolved" : `${r.failure}`} · harness ${(harnessMs / 1000).toFixed(2)} s · floor ${(floorMs / 1000).toFixed(2)} s · ${harnessMs >= floorMs ? "+" : "−"}${(Math.abs(harnessMs - floorMs) / 1000).toFixed(2)} s${real ? ` · ${r.steps} steps · $${r.costUsd.toFixed(4)}` : ""}`;
    }
    const n = Math.max(1, rows.length);
    const harnessTotal = rows.reduce((sum, r) => sum + r.harnessMs, 0);
    const floorTotal = rows.reduce((sum, r) => sum + r.floorMs, 0);
    figures.harnessMeanS = Number((harnessTotal / n / 1000).toFixed(2));
    figures.floorMeanS = Number((floorTotal / n / 1000).toFixed(2));
    figures.overheadMeanS = Number(((harnessTotal - floorTotal) / n / 1000).toFixed(2));
    figures.harnessOverFloor = Number((harnessTotal / Math.max(1, floorTotal)).toFixed(2));
    if (real) figures.costUsd = Number(rows.reduce((sum, r) => sum + r.result.costUsd, 0).toFixed(4));
    return { name: "eval: the shipped task set (bench/tasks) against the floor", figures };
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const result = await benchEval();
  console.log(result.name);
  for (const [k, v] of Object.entries(result.figures)) console.log(`  ${k}: ${v}`);
}

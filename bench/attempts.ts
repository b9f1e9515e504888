// Several attempts, the tests decide (issue 16): resolve rate at N = 1, 2, 3
// attempts per task through `issuesmith eval --attempts N`, beside the
// expectation 1 − (1 − p)^N, with a scripted model that solves a task with
// probability p. The coin of each (task, attempt) comes from a seeded PRNG,
// so a run reproduces; when it comes up tails the model writes a wrong fix
// that fails the task's visible test, so the app's own test run can tell.
// "coins say" is what a perfect choice gets from the coins actually drawn:
// the measured rate must equal it (the choice is the tests', not luck).
// BENCH_ATTEMPTS_TASKS (default 40), BENCH_ATTEMPTS_P (0.5), BENCH_ATTEMPTS_SEED (16),
// BENCH_ATTEMPTS_LATENCY_MS (model latency per call, default 300). Alone: `node bench/attempts.ts`.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { envSecrets, loadEnv } from "../src/config/env.ts";
import { DEFAULT_REPO_CONFIG } from "../src/config/repo-config.ts";
import { isHarnessFailure } from "../src/eval/harness.ts";
import { runEval } from "../src/eval/run-set.ts";
import { loadTasks } from "../src/eval/task.ts";
import type { ChatModel, ChatRequest, ChatResponse } from "../src/llm/types.ts";
import { createLogger } from "../src/logger.ts";
import { Redactor } from "../src/security/redact.ts";
import { createRegistry, defaultTools } from "../src/tools/registry.ts";
import { createRunner } from "../src/workspace/sandbox.ts";
import type { BenchResult } from "./stats.ts";

const REPO: Record<string, string> = {
  "package.json": JSON.stringify({ name: "calc", private: true, type: "module", scripts: { test: "node --test" } }),
  "src/sum.js": "export function sum(a, b) {\n  return a - b;\n}\n",
  "test/sum.test.js":
    'import { test } from "node:test";\nimport assert from "node:assert/strict";\nimport { sum } from "../src/sum.js";\n\ntest("adds zero", () => {\n  assert.equal(sum(2, 0), 2);\n});\n',
};

/** The hidden test: one more case in the visible file. */
const HIDDEN = `diff --git a/test/sum.test.js b/test/sum.test.js
--- a/test/sum.test.js
+++ b/test/sum.test.js
@@ -5,3 +5,7 @@ import { sum } from "../src/sum.js";
 test("adds zero", () => {
   assert.equal(sum(2, 0), 2);
 });
+
+test("adds two numbers", () => {
+  assert.equal(sum(2, 3), 5);
+});
`;

/** A deterministic number in [0, 1) for a key (FNV-1a, then one mulberry32 step). */
export function coin(seed: number, key: string): number {
  let h = 2166136261 ^ seed;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  let t = (h + 0x6d2b79f5) | 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** Solves a task with probability p: the right edit on heads, a wrong one the visible test catches on tails. */
class CoinModel implements ChatModel {
  readonly name = "scripted-coin";
  readonly protocol = "native" as const;
  readonly options: { p: number; seed: number; latencyMs: number };
  constructor(options: { p: number; seed: number; latencyMs: number }) {
    this.options = options;
  }

  async complete(request: ChatRequest): Promise<ChatResponse> {
    const text = JSON.stringify(request.messages);
    const task = /\[task: ([\w-]+)\]/.exec(text)?.[1] ?? "";
    const attempt = Number(/attempt (\d+) of \d+/.exec(text)?.[1] ?? 1);
    const step = request.messages.filter((m) => m.role === "assistant").length;
    await new Promise((resolve) => setTimeout(resolve, this.options.latencyMs));
    request.signal?.throwIfAborted();
    const heads = coin(this.options.seed, `${task}/${attempt}`) < this.options.p;
    const call =
      step === 0
        ? {
            name: "edit",
            arguments: {
              path: "src/sum.js",
              old_str: "return a - b;",
              new_str: heads ? "return a + b;" : "return a * b;",
            },
          }
        : { name: "finish", arguments: { summary: heads ? "sum adds now." : "Changed the operator." } };
    return {
      content: "",
      toolCalls: [{ id: `c${step}`, name: call.name, arguments: JSON.stringify(call.arguments) }],
      usage: { inputTokens: 5_000, outputTokens: 500 },
      finishReason: "tool_calls",
      latencyMs: this.options.latencyMs,
      model: this.name,
    };
  }
}

export async function benchAttempts(): Promise<BenchResult> {
  const count = Number(process.env.BENCH_ATTEMPTS_TASKS ?? 40);
  const p = Number(process.env.BENCH_ATTEMPTS_P ?? 0.5);
  const seed = Number(process.env.BENCH_ATTEMPTS_SEED ?? 16);
  const latencyMs = Number(process.env.BENCH_ATTEMPTS_LATENCY_MS ?? 300);
  const env = loadEnv({ ...process.env, LOG_LEVEL: "silent" });
  const redactor = new Redactor(envSecrets(env));
  const log = createLogger({ log: { level: "silent", format: "json" } }, redactor);
  const runner = await createRunner(env.sandbox, log);
  const dir = await mkdtemp(path.join(tmpdir(), "issuesmith-bench-attempts-"));
  try {
    for (const [rel, content] of Object.entries(REPO)) {
      await mkdir(path.dirname(path.join(dir, "repo", rel)), { recursive: true });
      await writeFile(path.join(dir, "repo", rel), content);
    }
    await writeFile(path.join(dir, "hidden.patch"), HIDDEN);
    const ids = Array.from({ length: count }, (_, i) => `t${String(i + 1).padStart(3, "0")}`);
    const tasksFile = path.join(dir, "tasks.jsonl");
    const line = (id: string) =>
      JSON.stringify({
        id,
        repo: "repo",
        problem_statement: `sum(2, 3) returns -1 instead of 5. [task: ${id}]`,
        test_command: "node --test",
        test_patch_file: "hidden.patch",
        fail_to_pass: ["adds two numbers"],
        pass_to_pass: ["adds zero"],
      });
    await writeFile(tasksFile, `${ids.map(line).join("\n")}\n`);
    const tasks = await loadTasks(tasksFile);
    const figures: BenchResult["figures"] = {
      setup: `${count} tasks · p = ${p} · seed ${seed} · model latency ${latencyMs} ms a call · sandbox ${runner.kind} · 2 tasks at a time, a task's attempts side by side`,
    };
    let wall1 = 0;
    for (const n of [1, 2, 3]) {
      const started = performance.now();
      const run = await runEval({
        tasks,
        tasksFile,
        outDir: path.join(dir, `out-${n}`),
        concurrency: 2,
        resume: false,
        attempts: n,
        modelName: "scripted-coin",
        deps: {
          runner,
          tools: createRegistry(defaultTools()),
          redactor,
          model: () => Promise.resolve(new CoinModel({ p, seed, latencyMs })),
          config: DEFAULT_REPO_CONFIG,
          prices: { "scripted-coin": { input: 2, output: 8 } },
          contextWindow: env.model.contextWindow,
          maxOutputTokens: env.model.maxOutputTokens,
          workDir: env.workDir,
          log,
          signal: new AbortController().signal,
        },
      });
      const wall = performance.now() - started;
      if (n === 1) wall1 = wall;
      const unscored = run.results.filter((r) => isHarnessFailure(r.failure));
      if (unscored.length) throw new Error(`${unscored.length} tasks not scored: ${unscored[0]!.reason}`);
      const scored = run.results;
      const resolved = run.results.filter((r) => r.resolved).length;
      const coins = ids.filter((id) =>
        Array.from({ length: n }, (_, i) => coin(seed, `${id}/${i + 1}`)).some((c) => c < p),
      );
      const cost = run.results.reduce((s, r) => s + r.costUsd, 0);
      figures[`N = ${n}`] =
        `resolved ${resolved}/${scored.length} = ${pct(resolved, scored.length)} · expected 1 − (1 − p)^${n} = ${pct(1 - (1 - p) ** n, 1)} · coins say ${pct(coins.length, count)} · $${(cost / Math.max(1, resolved)).toFixed(4)} per resolved task · wall ${(wall / 1000).toFixed(1)} s = ${(wall / wall1).toFixed(2)}× N = 1`;
    }
    return { name: "attempts: resolve rate and wall time at N = 1, 2, 3 attempts per task (eval --attempts)", figures };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function pct(n: number, of: number): string {
  return of === 0 ? "—" : `${((100 * n) / of).toFixed(1)}%`;
}

if (import.meta.main) {
  const result = await benchAttempts();
  console.log(result.name);
  for (const [k, v] of Object.entries(result.figures)) console.log(`  ${k}: ${v}`);
}

// Agent loop overhead per step, excluding model time: a scripted model asks
// for 100 cheap tool calls (`view` of a small file); the loop's own work per
// step — condensing, budget checks, the registry, events — is what remains
// after the model's latency (and, separately, the tool's time) is taken out.
// Target: < 20 ms per step. Run alone with `node bench/loop.ts`.
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pino from "pino";
import { repoConfigSchema } from "../src/config/repo-config.ts";
import { OpenAIChatModel } from "../src/llm/chat-model.ts";
import { solve } from "../src/run/solve.ts";
import { Redactor } from "../src/security/redact.ts";
import { createRegistry, defaultTools } from "../src/tools/registry.ts";
import { DirectRunner } from "../src/workspace/sandbox.ts";
import { createModelServer, type Turn } from "../test/support/model-server.ts";
import { ms, percentile, type BenchResult } from "./stats.ts";

const STEPS = 100;

export async function benchLoop(): Promise<BenchResult> {
  const turns: Turn[] = Array.from({ length: STEPS }, (_, i) => ({
    toolCalls: [{ name: "view", arguments: { path: `src/f${i % 10}.ts` } }],
  }));
  turns.push({ toolCalls: [{ name: "finish", arguments: { summary: "done" } }] });
  const model = await createModelServer({ turns });
  const root = await mkdtemp(path.join(tmpdir(), "bench-loop-"));
  const repoDir = path.join(root, "repo");
  const homeDir = path.join(root, "home");
  await mkdir(path.join(repoDir, "src"), { recursive: true });
  await mkdir(homeDir);
  for (let i = 0; i < 10; i++)
    await writeFile(
      path.join(repoDir, `src/f${i}.ts`),
      Array.from({ length: 120 }, (_, l) => `export const v${l} = ${l};`).join("\n"),
    );
  const stepWall = new Map<number, number>();
  const modelMs = new Map<number, number>();
  const toolMs = new Map<number, number>();
  let last = performance.now();
  try {
    const config = repoConfigSchema.parse({
      setup: null,
      budget: { steps: STEPS + 5, tokens: 100_000_000, cost_usd: 1_000 },
    });
    const started = performance.now();
    const result = await solve({
      workspace: {
        dir: { root, repoDir, homeDir },
        runner: new DirectRunner(),
        tools: createRegistry(defaultTools()),
        redactor: new Redactor(["a-secret-value-to-redact"]),
      },
      config,
      task: { source: "bench", repo: "bench", title: "bench", body: "bench", comments: [] },
      model: {
        chat: new OpenAIChatModel({
          apiKey: "k",
          baseUrl: model.url,
          model: "scripted-model",
          protocol: "native",
          timeoutMs: 10_000,
          retries: 0,
          maxOutputTokens: 1_000,
        }),
        contextWindow: 128_000,
        maxOutputTokens: 1_000,
      },
      signal: new AbortController().signal,
      log: pino({ level: "silent" }),
      steps: { verify: false },
      hooks: {
        onEvent: (e) => {
          if (e.type === "model") modelMs.set(e.step, e.latencyMs);
          if (e.type === "tool") {
            toolMs.set(e.step, e.durationMs);
            const now = performance.now();
            stepWall.set(e.step, now - last);
            last = now;
          }
        },
      },
    });
    const total = performance.now() - started;
    if (result.stop !== "finish") throw new Error(`loop bench did not finish: ${result.reason}`);
    const perStep: number[] = [];
    const pure: number[] = [];
    for (const [step, wall] of stepWall) {
      if (step === 1) continue; // the first step includes start-up
      perStep.push(wall - (modelMs.get(step) ?? 0));
      pure.push(wall - (modelMs.get(step) ?? 0) - (toolMs.get(step) ?? 0));
    }
    const p50 = percentile(perStep, 50);
    return {
      name: `agent loop overhead (${STEPS} steps, scripted model)`,
      figures: {
        "per step excl. model p50 ms": ms(p50),
        "per step excl. model p95 ms": ms(percentile(perStep, 95)),
        "loop only (excl. model and tool) p50 ms": ms(percentile(pure, 50)),
        "model latency p50 ms": ms(percentile([...modelMs.values()], 50)),
        "total s": ms(total / 1000),
        "< 20 ms": p50 < 20 ? "yes" : "NO",
      },
    };
  } finally {
    await model.close();
    await rm(root, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await benchLoop(), null, 2));
}

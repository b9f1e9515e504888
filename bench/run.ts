// `npm run bench`: every benchmark, one after another, printed as figures.
// `npm run bench -- pipeline burst` runs only those. Benchmarks print
// figures; none of them fails the build (targets are shown beside them).
import { cpus, loadavg } from "node:os";
import type { BenchResult } from "./stats.ts";

const BENCHES: Record<string, () => Promise<BenchResult>> = {
  pipeline: async () => (await import("./pipeline.ts")).benchPipeline(),
  burst: async () => (await import("./burst.ts")).benchBurst(),
  loop: async () => (await import("./loop.ts")).benchLoop(),
  tools: async () => (await import("./tools.ts")).benchTools(),
  sandbox: async () => (await import("./sandbox.ts")).benchSandbox(),
  queue: async () => (await import("./queue.ts")).benchQueue(),
  workers: async () => (await import("./workers.ts")).benchWorkers(),
  jobs: async () => (await import("./jobs.ts")).benchJobs(),
  eval: async () => (await import("./eval.ts")).benchEval(),
  attempts: async () => (await import("./attempts.ts")).benchAttempts(),
  "warm-start": async () => (await import("./warm-start.ts")).benchWarmStart(),
  offline: async () => (await import("./offline.ts")).benchOffline(),
  faults: async () => (await import("./faults.ts")).benchFaults(),
  "github-faults": async () => (await import("./github-faults.ts")).benchGitHubFaults(),
  "base-update": async () => (await import("./base-update.ts")).benchBaseUpdate(),
};

const BENCH_TIMEOUT_S = Number(process.env.BENCH_TIMEOUT_S ?? 900);

const wanted = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const unknown = wanted.filter((w) => !(w in BENCHES));
if (unknown.length > 0) {
  console.error(`unknown bench: ${unknown.join(", ")} (have: ${Object.keys(BENCHES).join(", ")})`);
  process.exit(2);
}
console.log(
  `issuesmith benchmarks — Node ${process.version}, ${cpus().length} cores, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}, ${new Date().toISOString()}\n`,
);
let failed = 0;
for (const [name, run] of Object.entries(BENCHES)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  const started = performance.now();
  try {
    // A bench that hangs is reported, not waited on for ever.
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no result after ${BENCH_TIMEOUT_S} s`)), BENCH_TIMEOUT_S * 1000);
    });
    const result = await Promise.race([run(), limit]).finally(() => clearTimeout(timer));
    console.log(`## ${result.name}  (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    const width = Math.max(...Object.keys(result.figures).map((k) => k.length));
    for (const [k, v] of Object.entries(result.figures)) console.log(`  ${k.padEnd(width)}  ${v}`);
    console.log("");
  } catch (err) {
    failed++;
    console.log(`## ${name}: FAILED — ${(err as Error).stack ?? String(err)}\n`);
  }
}
process.exit(failed > 0 ? 1 : 0);

// What the sandbox costs per command: `true` run 100 times directly and in
// bubblewrap, interleaved so both see the same machine load.
// Run alone with `node bench/sandbox.ts`; `npm run bench` collects it too.
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { findPidsCgroup } from "../src/workspace/pids-cgroup.ts";
import { BwrapRunner, DirectRunner } from "../src/workspace/sandbox.ts";
import type { CommandRunner, Workspace } from "../src/workspace/types.ts";

const RUNS = 100;
const WARMUP = 5;

export async function benchSandbox(): Promise<{ name: string; figures: Record<string, number | string> }> {
  const root = await mkdtemp(path.join(tmpdir(), "issuesmith-bench-"));
  const workspace: Workspace = { root, repoDir: path.join(root, "repo"), homeDir: path.join(root, "home") };
  await mkdir(workspace.repoDir);
  await mkdir(workspace.homeDir);
  const pids = findPidsCgroup();
  const runners: Record<string, CommandRunner> = {
    direct: new DirectRunner(),
    bwrap: new BwrapRunner(),
    ...(pids ? { bwrap_cgroup: new BwrapRunner({ pids }) } : {}),
  };
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(runners).map((k) => [k, []]));
  try {
    for (let i = 0; i < WARMUP + RUNS; i++) {
      for (const [name, runner] of Object.entries(runners)) {
        const started = performance.now();
        const result = await runner.run({ command: "true", workspace, timeoutMs: 10_000, network: false });
        const ms = performance.now() - started;
        if (result.exitCode !== 0) throw new Error(`${name}: \`true\` failed: ${result.output}`);
        if (i >= WARMUP) times[name]!.push(ms);
      }
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  const figures: Record<string, number | string> = {
    runs: RUNS,
    pids_cgroup: pids ? `v${pids.version}` : "unavailable",
  };
  for (const [name, list] of Object.entries(times)) {
    figures[`${name}_p50_ms`] = round(percentile(list, 50));
    figures[`${name}_p99_ms`] = round(percentile(list, 99));
  }
  for (const name of Object.keys(times).filter((n) => n !== "direct")) {
    figures[`${name}_overhead_p50_ms`] = round(percentile(times[name]!, 50) - percentile(times.direct!, 50));
    figures[`${name}_overhead_p99_ms`] = round(percentile(times[name]!, 99) - percentile(times.direct!, 99));
  }
  return { name: "sandbox start-up (`true`)", figures };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? NaN;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

if (import.meta.main) {
  const { name, figures } = await benchSandbox();
  console.log(name);
  for (const [key, value] of Object.entries(figures)) console.log(`  ${key}: ${value}`);
}

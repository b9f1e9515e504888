// Resume after a crash, with a real process killed by SIGKILL mid-job. Shared
// by the sqlite and postgres test files.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import type { StoreQueue } from "../../src/jobs/store-queue.ts";
import { done, newJob, sleep, waitFor } from "./helpers.ts";

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "crash-worker.ts");

export function spawnWorker(args: string[]): { child: ChildProcess; lines: string[]; exited: Promise<void> } {
  // process.execPath is the pinned Node 24 when the tests run through npx.
  const child = spawn(process.execPath, [CHILD, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const lines: string[] = [];
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => lines.push(...d.split("\n").filter(Boolean)));
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  child.on("exit", (code, signal) => {
    if (code !== null && code !== 0) lines.push(`EXIT ${code}: ${stderr}`);
    void signal;
  });
  return { child, lines, exited };
}

/**
 * A child takes the job and dies by SIGKILL; while it lived no other worker
 * ran the job; after, a new worker gets it with resumed=true. Returns how
 * long the takeover took after the kill.
 */
export async function crashAndResume(queue: StoreQueue, childArgs: string[], aliveCheckMs: number): Promise<number> {
  const { job } = await queue.enqueue(newJob());
  const worker = spawnWorker(childArgs);
  try {
    const started = await waitFor(
      () => worker.lines.find((l) => l.startsWith("STARTED") || l.startsWith("EXIT")),
      "the child to take the job",
      15_000,
    );
    expect(started).toBe(`STARTED ${job.id} false 1`);
    expect(await queue.get(job.id)).toMatchObject({ state: "running", phase: "edit", checkpoint: { step: 1 } });

    // While the child lives (and heart-beats), another worker must not run the job.
    const early: string[] = [];
    const watcher = queue.work(async (j) => (early.push(j.id), done()), { concurrency: 1, perInstallation: 1 });
    await sleep(aliveCheckMs);
    await watcher.stop(0);
    expect(early).toEqual([]);

    worker.child.kill("SIGKILL");
    await worker.exited;
    const killedAt = Date.now();

    const runs: { resumed: boolean; attempts: number; checkpoint: unknown }[] = [];
    const next = queue.work(
      async (j, run) => (runs.push({ resumed: run.resumed, attempts: j.attempts, checkpoint: j.checkpoint }), done()),
      {
        concurrency: 1,
        perInstallation: 1,
      },
    );
    try {
      const end = await waitFor(
        async () => {
          const j = await queue.get(job.id);
          return j?.state === "succeeded" ? j : undefined;
        },
        "the job to be resumed and finish",
        20_000,
      );
      const tookMs = Date.now() - killedAt;
      expect(runs).toEqual([{ resumed: true, attempts: 2, checkpoint: { step: 1 } }]);
      expect(end.attempts).toBe(2);
      return tookMs;
    } finally {
      await next.stop(0);
    }
  } finally {
    if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill("SIGKILL");
  }
}

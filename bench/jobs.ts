// Jobs per minute through the whole pipeline (webhook → clone → loop →
// tests → push → PR) with the scripted model, at worker concurrency 1, 2 and
// 4, on the sqlite and PostgreSQL queues. Run alone with `node bench/jobs.ts`.
import { fileURLToPath } from "node:url";
import { testDatabase } from "../test/jobs/postgres-support.ts";
import { pullsOf, startTestApp, MAINTAINER, OWNER, REPO } from "../test/support/app.ts";
import type { Turn } from "../test/support/model-server.ts";
import { issuesEvent } from "../test/support/webhooks.ts";
import { ms, type BenchResult } from "./stats.ts";

const JOBS = Number(process.env.BENCH_JOBS ?? 8);

const FILES: Record<string, string> = {
  // No dependencies to install: the figure is the pipeline's, not npm's.
  ".github/agent.yml": "test: node --test\nsetup: null\n",
  "package.json": '{ "type": "module" }\n',
  "src/sum.js": "export function sum(a, b) {\n  return a - b;\n}\n",
  "test/sum.test.mjs":
    'import { test } from "node:test";\nimport assert from "node:assert/strict";\nimport { sum } from "../src/sum.js";\ntest("adds", () => assert.equal(sum(2, 3), 5));\n',
};

const call = (name: string, args: Record<string, unknown>) => ({ toolCalls: [{ name, arguments: args }] });
const SCRIPT = [
  call("view", { path: "src/sum.js" }),
  call("edit", { path: "src/sum.js", old_str: "return a - b;", new_str: "return a + b;" }),
  call("finish", { summary: "adds" }),
];
/** Jobs run side by side and share one model server: each answer follows its own conversation. */
const turn: Turn = (req) =>
  SCRIPT[Math.min(SCRIPT.length - 1, req.messages.filter((m) => m.role === "assistant").length)]!;

async function throughput(queue: "sqlite" | "postgres", concurrency: number): Promise<number> {
  const db = queue === "postgres" ? await testDatabase() : undefined;
  const app = await startTestApp({
    files: FILES,
    env: {
      AGENT_QUEUE: queue,
      ...(db ? { AGENT_DATABASE_URL: db.url } : {}),
      AGENT_CONCURRENCY: String(concurrency),
      AGENT_INSTALLATION_CONCURRENCY: String(concurrency),
      AGENT_PROGRESS_INTERVAL_MS: "1000",
    },
  });
  try {
    for (let i = 0; i < JOBS; i++) {
      app.model.push(turn, turn, turn);
    }
    const started = performance.now();
    for (let i = 0; i < JOBS; i++) {
      const issue = app.fake.addIssue({ owner: OWNER, repo: REPO, title: `job ${i}`, user: "reporter" });
      await app.send(
        issuesEvent("labeled", app.target(MAINTAINER), {
          issue: { number: issue.number, title: issue.title },
          label: "agent",
        }),
      );
    }
    await app.waitForJobs({ count: JOBS, timeoutMs: 300_000 });
    const elapsed = performance.now() - started;
    if (pullsOf(app).length !== JOBS) {
      const jobs = await app.runtime.queue.list({ limit: 100 });
      throw new Error(
        `expected ${JOBS} PRs, got ${pullsOf(app).length}: ${JSON.stringify(jobs.map((j) => j.outcome))}`,
      );
    }
    return (JOBS / elapsed) * 60_000;
  } finally {
    await app.stop();
    await db?.drop();
  }
}

export async function benchJobs(): Promise<BenchResult> {
  const figures: Record<string, number | string> = { "jobs per run": JOBS };
  for (const queue of ["sqlite", "postgres"] as const) {
    for (const c of [1, 2, 4]) figures[`${queue} c=${c} jobs/min`] = ms(await throughput(queue, c));
  }
  return { name: "jobs per minute, whole pipeline (scripted model)", figures };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await benchJobs(), null, 2));
}

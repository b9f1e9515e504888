// Webhook acknowledgement under a burst: 200 signed deliveries to the app
// running as its own process (`node src/server.ts`, embedded sqlite queue, no
// worker); the fake GitHub lives in this process and the sender in a third
// (burst-sender.ts), so neither's work is timed as the app's. Figures:
// latency p50/p99 all at once and with 20 in flight (about what GitHub's
// senders do), and that none is lost or duplicated when redelivered.
// Target: p99 < 200 ms. Run alone with `node bench/burst.ts`.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { text } from "node:stream/consumers";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { SqliteQueue } from "../src/jobs/sqlite/queue.ts";
import { MAINTAINER, MODEL_API_KEY, OWNER, REPO, WEBHOOK_SECRET } from "../test/support/app.ts";
import { startAppProcess } from "../test/support/app-process.ts";
import { createFakeGitHub } from "../test/support/fake-github.ts";
import { appKeys } from "../test/support/keys.ts";
import { sign } from "@octokit/webhooks-methods";
import { fakeTarget, issueCommentEvent, sendWebhook, type Delivery } from "../test/support/webhooks.ts";
import type { SenderInput, SenderOutput } from "./burst-sender.ts";
import { percentile, ms, type BenchResult } from "./stats.ts";

const BURST = Number(process.env.BENCH_BURST ?? 200);

export async function benchBurst(): Promise<BenchResult> {
  const keys = await appKeys();
  const fake = await createFakeGitHub({ appId: 4545, publicKey: keys.publicKey });
  await fake.addRepo({ owner: OWNER, name: REPO });
  fake.setPermission(OWNER, REPO, MAINTAINER, "write");
  const root = await mkdtemp(path.join(tmpdir(), "bench-burst-"));
  const dataDir = path.join(root, "data");
  const app = await startAppProcess({
    cwd: root,
    env: {
      APP_ID: String(fake.appId),
      PRIVATE_KEY: keys.privateKey,
      WEBHOOK_SECRET,
      GHE_HOST: fake.host,
      GHE_PROTOCOL: "http",
      OPENAI_BASE_URL: "http://127.0.0.1:9/v1",
      OPENAI_API_KEY: MODEL_API_KEY,
      AGENT_MODEL: "scripted-model",
      AGENT_QUEUE: "sqlite",
      AGENT_DATA_DIR: dataDir,
      AGENT_WORKER: "false",
      AGENT_GITHUB_THROTTLE: "false",
      LOG_LEVEL: "warn",
      NODE_ENV: "production",
    },
  });
  const url = `${app.url}/api/github/webhooks`;
  try {
    const make = (prefix: string, n: number) =>
      Array.from({ length: n }, (_, i) => {
        const issue = fake.addIssue({ owner: OWNER, repo: REPO, title: `${prefix} ${i}`, user: "reporter" });
        const delivery: Delivery = issueCommentEvent("created", fakeTarget(fake, OWNER, REPO, MAINTAINER), {
          issue: { number: issue.number },
          comment: { id: 100_000 + issue.number, body: "/agent fix" },
        });
        return { id: `${prefix}-${i}`, delivery };
      });
    const failures: string[] = [];
    const send = async (batch: Array<{ id: string; delivery: Delivery }>, inFlight: number) => {
      const requests = await Promise.all(
        batch.map(async ({ id, delivery }) => {
          const body = JSON.stringify(delivery.payload);
          const headers = {
            "content-type": "application/json",
            "user-agent": "GitHub-Hookshot/bench",
            "x-github-event": delivery.event,
            "x-github-delivery": id,
            "x-github-hook-id": "1",
            "x-github-hook-installation-target-type": "integration",
            "x-hub-signature-256": await sign(WEBHOOK_SECRET, body),
          };
          return { headers, body };
        }),
      );
      const { results } = await runSender({ url, inFlight, requests });
      for (const r of results) if (r.status !== 200) failures.push(`${r.status} ${r.body}`);
      return { latencies: results.map((r) => r.ms), ok: results.filter((r) => r.status === 200).length };
    };
    // A running app has its caches warm: one delivery first.
    const warm = make("warm", 1)[0]!;
    const warmed = await sendWebhook(url, warm.delivery, { secret: WEBHOOK_SECRET, deliveryId: warm.id });
    if (warmed.status !== 200) failures.push(`${warmed.status} ${warmed.body.slice(0, 200)}`);
    // One burst at a time: each starts once the app has finished acknowledging
    // the last (its reactions and progress comments made), as bursts come.
    const quiet = async () => {
      const deadline = Date.now() + 120_000;
      for (let seen = -1; fake.requests.length !== seen && Date.now() < deadline;) {
        seen = fake.requests.length;
        await new Promise((r) => setTimeout(r, 500));
      }
    };
    await quiet();
    const allAtOnce = make("burst", BURST);
    const a = await send(allAtOnce, BURST);
    await quiet();
    const paced = make("paced", BURST);
    const b = await send(paced, 20);
    // GitHub redelivers: the same deliveries again must not add jobs.
    await send(allAtOnce.slice(0, 50), 20);

    await app.kill("SIGTERM");
    const queue = new SqliteQueue(SqliteQueue.fileIn(dataDir));
    const jobs = await queue.list({ limit: 100_000 });
    await queue.close();
    const fixJobs = jobs.filter((j) => j.kind === "fix");
    const distinct = new Set(fixJobs.map((j) => j.trigger.deliveryId));
    const expected = 1 + 2 * BURST;
    const p99 = percentile(a.latencies, 99);
    return {
      name: `webhook acknowledgement, burst of ${BURST} (app process, sqlite queue)`,
      figures: {
        "all at once p50 ms": ms(percentile(a.latencies, 50)),
        "all at once p99 ms": ms(p99),
        "20 in flight p50 ms": ms(percentile(b.latencies, 50)),
        "20 in flight p99 ms": ms(percentile(b.latencies, 99)),
        "answered 200": a.ok + b.ok,
        lost: expected - distinct.size,
        duplicated: fixJobs.length - distinct.size,
        ...(failures.length ? { failures: [...new Set(failures)].join(" | ") } : {}),
        "p99 < 200 ms (20 in flight)": percentile(b.latencies, 99) < 200 ? "yes" : "NO",
        "p99 < 200 ms (all at once)": p99 < 200 ? "yes" : "NO",
      },
    };
  } finally {
    await app.kill("SIGKILL");
    await fake.close();
    await rm(root, { recursive: true, force: true });
  }
}

async function runSender(input: SenderInput): Promise<SenderOutput> {
  const child = spawn(process.execPath, [fileURLToPath(new URL("./burst-sender.ts", import.meta.url))], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  child.stdin.end(JSON.stringify(input));
  const out = await text(child.stdout);
  const code = await exited;
  if (code !== 0) throw new Error(`the burst sender exited with ${code}`);
  return JSON.parse(out) as SenderOutput;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await benchBurst(), null, 2));
}

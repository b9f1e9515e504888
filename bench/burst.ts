// Webhook acknowledgement under a burst: 200 signed deliveries to the app
// running as its own process (`node src/server.ts`, embedded sqlite queue, no
// worker), while the fake GitHub and the sender live in this process. Figures:
// latency p50/p99 all at once and with 20 in flight (about what GitHub's
// senders do), and that none is lost or duplicated when redelivered.
// Target: p99 < 200 ms. Run alone with `node bench/burst.ts`.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { SqliteQueue } from "../src/jobs/sqlite-store.ts";
import { MAINTAINER, MODEL_API_KEY, OWNER, REPO, WEBHOOK_SECRET } from "../test/support/app.ts";
import { startAppProcess } from "../test/support/app-process.ts";
import { createFakeGitHub } from "../test/support/fake-github.ts";
import { appKeys } from "../test/support/keys.ts";
import { fakeTarget, issueCommentEvent, sendWebhook, type Delivery } from "../test/support/webhooks.ts";
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
        const delivery: Delivery = issueCommentEvent("created", fakeTarget(fake, OWNER, REPO, MAINTAINER), { issue: { number: issue.number }, comment: { id: 100_000 + issue.number, body: "/agent fix" } });
        return { id: `${prefix}-${i}`, delivery };
      });
    const failures: string[] = [];
    const send = async (batch: Array<{ id: string; delivery: Delivery }>, inFlight: number) => {
      const latencies: number[] = [];
      let next = 0;
      let ok = 0;
      await Promise.all(
        Array.from({ length: Math.min(inFlight, batch.length) }, async () => {
          while (next < batch.length) {
            const { id, delivery } = batch[next++]!;
            const res = await sendWebhook(url, delivery, { secret: WEBHOOK_SECRET, deliveryId: id });
            latencies.push(res.ms);
            if (res.status === 200) ok++;
            else failures.push(`${res.status} ${res.body.slice(0, 200)}`);
          }
        }),
      );
      return { latencies, ok };
    };
    // A running app has its caches warm: one delivery first.
    await send(make("warm", 1), 1);
    const allAtOnce = make("burst", BURST);
    const a = await send(allAtOnce, BURST);
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

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await benchBurst(), null, 2));
}

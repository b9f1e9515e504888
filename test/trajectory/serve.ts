// A job with a recorded trajectory in a memory store, and the job page route
// on a loopback server: what the page tests read through HTTP.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { MemoryStore } from "../../src/jobs/memory/store.ts";
import type { JobOutcome, NewJob } from "../../src/shared/job.ts";
import { Redactor } from "../../src/security/redact.ts";
import { jobPageRoute } from "../../src/trajectory/route.ts";
import { LinkSigner } from "../../src/trajectory/signing.ts";
import { StoreTrajectorySink } from "../../src/trajectory/store-sink.ts";
import { KNOWN_SECRET, jobEvents } from "./fixtures.ts";

export const APP_SECRET = "page-test-webhook-secret";

export interface PageServer {
  url: string;
  jobId: string;
  store: MemoryStore;
  signer: LinkSigner;
  close(): Promise<void>;
}

export function newJob(number = 7): NewJob {
  return {
    kind: "fix",
    installationId: 1,
    target: { owner: "acme", repo: "widgets", number, isPullRequest: false },
    trigger: {
      deliveryId: `d-${number}-${Math.random()}`,
      event: "issues.labeled",
      actor: "maya",
      at: new Date().toISOString(),
    },
  };
}

export async function servePage(options: { now?: () => number } = {}): Promise<PageServer> {
  const store = new MemoryStore();
  const { job } = await store.enqueue(newJob());
  const owner = { id: "w1", pid: process.pid, host: "test" };
  await store.claim(owner, 1, 60_000);
  const sink = new StoreTrajectorySink({ store, redactor: new Redactor([KNOWN_SECRET, APP_SECRET]) });
  for (const event of jobEvents()) await sink.record(job.id, event);
  await sink.flush();
  const outcome: JobOutcome = {
    status: "pr_opened",
    summary: "Opened #8 — tests pass",
    prNumber: 8,
    prUrl: "https://github.com/acme/widgets/pull/8",
    usage: { steps: 5, inputTokens: 7400, outputTokens: 230, costUsd: 0.0074, wallMs: 12_300 },
  };
  await store.finish(job.id, owner, "succeeded", outcome);

  // The route only verifies (it needs no URL); the test's signer makes links under the server's address.
  const clock = options.now ? { now: options.now } : {};
  const handler = jobPageRoute({
    signer: new LinkSigner({ secret: APP_SECRET, publicUrl: undefined, ...clock }),
    jobs: store,
    trajectories: store,
    githubUrl: "https://github.com",
  });
  const server: Server = createServer((req, res) => {
    handler(req, res).then(
      (served) => {
        if (!served) res.writeHead(418).end("not a page route\n");
      },
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const signer = new LinkSigner({ secret: APP_SECRET, publicUrl: url, ...clock });
  return {
    url,
    jobId: job.id,
    store,
    signer,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

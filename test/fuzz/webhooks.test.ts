// Signed deliveries of every event we subscribe to, made from real example
// payloads with random fields removed, retyped, nulled, enlarged to megabytes,
// filled with odd unicode or nested thousands deep: the app answers each with
// 2xx or 4xx, never 5xx, within a timeout, and still takes a valid delivery
// afterwards. Unsigned and badly signed deliveries get 4xx and enqueue nothing.
import { createHmac, randomUUID } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAINTAINER, OWNER, REPO, startTestApp, WEBHOOK_SECRET, type TestApp } from "../support/app.ts";
import {
  checkRunEvent,
  issueCommentEvent,
  issuesEvent,
  pullRequestEvent,
  pullRequestReviewCommentEvent,
  pullRequestReviewEvent,
  type Delivery,
} from "../support/webhooks.ts";
import { applyMutations, hostileValue, mutation } from "./webhook-arbitraries.ts";

const REQUEST_TIMEOUT_MS = 15_000;

let app: TestApp;
let issueNumber: number;
beforeAll(async () => {
  // No worker: deliveries are answered and enqueued, no job runs.
  app = await startTestApp({ worker: false });
  issueNumber = app.fake.addIssue({
    owner: OWNER,
    repo: REPO,
    title: "Fuzz target",
    body: "x",
    user: "reporter",
  }).number;
});
afterAll(() => app.stop());

/** One real delivery of each event the app subscribes to (app.yml), aimed at the fake's repository. */
function bases(a: TestApp): Delivery[] {
  const t = a.target(MAINTAINER);
  const issue = { number: issueNumber, title: "Fuzz target", body: "x" };
  const pr = { number: issueNumber, title: "Fuzz target" };
  return [
    issuesEvent("labeled", t, { issue, label: "agent" }),
    issuesEvent("opened", t, { issue }),
    issueCommentEvent("created", t, { issue, comment: { body: "/agent fix please" } }),
    issueCommentEvent("created", t, { issue: { ...issue, isPullRequest: true }, comment: { body: "/agent plan" } }),
    pullRequestReviewEvent("submitted", t, {
      pullRequest: pr,
      review: { state: "changes_requested", body: "/agent fix" },
    }),
    pullRequestReviewCommentEvent("created", t, {
      pullRequest: pr,
      comment: { body: "/agent fix the name", path: "README.md", line: 1 },
    }),
    pullRequestEvent("opened", t, { pullRequest: pr }),
    checkRunEvent("completed", t, { checkRun: { name: "ci", headSha: "0".repeat(40), conclusion: "failure" } }),
  ];
}

/** GitHub's X-Hub-Signature-256 (webhooks-methods' sign() refuses an empty secret or body, which the attacks need). */
const sign = async (secret: string, body: string) =>
  `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

/** POSTs `body` as GitHub would, signed with `secret` unless a signature is given (null: none at all). */
async function post(
  event: string,
  body: string,
  options: { secret?: string; signature?: string | null; headers?: Record<string, string> } = {},
): Promise<number> {
  const signature =
    options.signature === undefined ? await sign(options.secret ?? WEBHOOK_SECRET, body) : options.signature;
  const res = await fetch(app.webhookUrl, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": event,
      "x-github-delivery": randomUUID(),
      "user-agent": "GitHub-Hookshot/fuzz",
      ...(signature === null ? {} : { "x-hub-signature-256": signature }),
      ...options.headers,
    },
    body,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  await res.arrayBuffer();
  return res.status;
}

const jobCount = async () => (await app.runtime.queue.list({ limit: 10_000 })).length;

describe("mutated deliveries of every subscribed event", () => {
  it("are each answered with 2xx or 4xx, never 5xx, and never hang", async () => {
    const deliveries = bases(app);
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: deliveries.length - 1 }),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        async (which, mutations) => {
          const base = deliveries[which]!;
          const status = await post(base.event, JSON.stringify(applyMutations(base.payload, mutations)));
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          expect(status, `${base.event} with ${mutations.length} mutation(s)`).toBeGreaterThanOrEqual(200);
          expect(status).toBeLessThan(500);
        },
      ),
      { numRuns: 200 },
    );
    // Most mutations leave a delivery the app reads and answers 200; some bodies are refused outright.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
  });

  it("answers a body that is not an object, not JSON, or one value of any kind, with 2xx or 4xx", async () => {
    const bodies = fc.oneof(
      hostileValue.map((v) => JSON.stringify(v) ?? "null"),
      fc.string({ unit: "binary", maxLength: 200 }),
      fc.constantFrom("", "{", '{"action":', "[]", "\u0000", "null", "0", "false", '{"installation":{"id":1}}'),
      // Installation ids Probot cannot authenticate as.
      fc.constantFrom(
        '{"installation":{"id":"1"}}',
        '{"installation":{"id":{}}}',
        '{"installation":{"id":-1}}',
        '{"installation":{"id":1.5}}',
        '{"installation":"x"}',
        '{"action":"labeled","installation":{"id":[1]}}',
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          "issues",
          "issue_comment",
          "pull_request_review",
          "pull_request_review_comment",
          "check_run",
          "ping",
          "nonsense",
          "",
        ),
        bodies,
        async (event, body) => {
          const status = await post(event, body);
          expect(status).toBeGreaterThanOrEqual(200);
          expect(status).toBeLessThan(500);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("still enqueues a valid delivery afterwards", async () => {
    const before = await jobCount();
    const issue = app.fake.addIssue({ owner: OWNER, repo: REPO, title: "After the fuzz", body: "x", user: "reporter" });
    const res = await app.send(
      issuesEvent("labeled", app.target(MAINTAINER), {
        issue: { number: issue.number, title: issue.title, body: "x" },
        label: "agent",
      }),
    );
    expect(res.status).toBe(200);
    const jobs = await app.runtime.queue.list({ limit: 10_000 });
    expect(jobs.length).toBe(before + 1);
    expect(jobs.some((j) => j.target.number === issue.number && j.kind === "fix")).toBe(true);
  });
});

describe("deliveries without the right signature", () => {
  it("get 4xx and enqueue nothing: unsigned, wrong secret, malformed, sha1 only, or signed over other bytes", async () => {
    const [labeled] = bases(app);
    const body = JSON.stringify(labeled!.payload);
    const before = await jobCount();
    const attempts: Array<[string, Parameters<typeof post>[2]]> = [
      ["unsigned", { signature: null }],
      ["wrong secret", { secret: "not-the-secret" }],
      ["empty secret", { secret: "" }],
      ["garbage", { signature: "sha256=zzzz" }],
      ["truncated", { signature: (await sign(WEBHOOK_SECRET, body)).slice(0, 20) }],
      [
        "sha1 only",
        { signature: null, headers: { "x-hub-signature": "sha1=0000000000000000000000000000000000000000" } },
      ],
      ["other bytes", { signature: await sign(WEBHOOK_SECRET, `${body} `) }],
    ];
    for (const [what, options] of attempts) {
      const status = await post("issues", body, options);
      expect(status, what).toBeGreaterThanOrEqual(400);
      expect(status, what).toBeLessThan(500);
    }
    expect(await jobCount()).toBe(before);
  });
});

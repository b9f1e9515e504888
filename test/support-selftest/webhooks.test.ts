import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { verify } from "@octokit/webhooks-methods";
import { createNodeMiddleware, Probot } from "probot";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFakeGitHub, type FakeGitHub } from "../support/fake-github.ts";
import { TestOctokit } from "../support/github-client.ts";
import { appKeys } from "../support/keys.ts";
import {
  checkRunEvent,
  fakeTarget,
  issueCommentEvent,
  issuesEvent,
  pullRequestEvent,
  pullRequestReviewCommentEvent,
  pullRequestReviewEvent,
  sendWebhook,
  type WebhookTarget,
} from "../support/webhooks.ts";

const SECRET = "test-webhook-secret";

describe("webhook deliveries", () => {
  it("builds payloads from the examples, pointed at the target repository and installation", () => {
    const target: WebhookTarget = {
      repo: { owner: "acme", name: "widgets" },
      installationId: 99,
      sender: { login: "alice" },
    };
    const { event, payload } = issuesEvent("labeled", target, {
      issue: { number: 7, title: "Bug", body: "It breaks" },
      label: "agent",
    });
    expect(event).toBe("issues");
    expect(payload).toMatchObject({
      action: "labeled",
      installation: { id: 99 },
      label: { name: "agent" },
      issue: { number: 7, title: "Bug", body: "It breaks", html_url: "https://github.com/acme/widgets/issues/7" },
      repository: { full_name: "acme/widgets", name: "widgets", owner: { login: "acme" } },
      sender: { login: "alice", type: "User" },
    });
    // nothing of the example's own repository is left behind
    expect(JSON.stringify(payload)).not.toMatch(/Codertocat\/Hello-World/);
  });

  it("spells review states in lowercase, as webhooks do", () => {
    const target: WebhookTarget = {
      repo: { owner: "acme", name: "widgets" },
      installationId: 1,
      sender: { login: "alice" },
    };
    const { payload } = pullRequestReviewEvent("submitted", target, {
      pullRequest: { number: 3, headRef: "agent/issue-1" },
      review: { state: "CHANGES_REQUESTED", body: "/agent fix please" },
    });
    expect(payload).toMatchObject({
      review: { state: "changes_requested", body: "/agent fix please" },
      pull_request: { number: 3, head: { ref: "agent/issue-1" } },
    });
  });

  it("marks a bot sender as a Bot", () => {
    const target: WebhookTarget = {
      repo: { owner: "acme", name: "widgets" },
      installationId: 1,
      sender: { login: "issuesmith[bot]" },
    };
    const { payload } = issueCommentEvent("created", target, { issue: { number: 1 }, comment: { body: "/agent fix" } });
    expect(payload).toMatchObject({
      sender: { type: "Bot" },
      comment: { user: { login: "issuesmith[bot]", type: "Bot" } },
    });
  });

  it("signs the body with the secret (x-hub-signature-256) and sends event and delivery headers", async () => {
    const seen: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        seen.push({ headers: req.headers, body });
        res.writeHead(202).end("ok");
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
      const delivery = checkRunEvent(
        "completed",
        { repo: { owner: "acme", name: "widgets" }, installationId: 1, sender: { login: "ci[bot]" } },
        { checkRun: { name: "tests", headSha: "a".repeat(40), conclusion: "failure" } },
      );
      const result = await sendWebhook(url, delivery, { secret: SECRET, deliveryId: "d-1" });
      expect(result).toMatchObject({ status: 202, body: "ok", deliveryId: "d-1" });
      const got = seen[0];
      expect(got?.headers).toMatchObject({
        "x-github-event": "check_run",
        "x-github-delivery": "d-1",
        "content-type": "application/json",
      });
      expect(await verify(SECRET, got?.body ?? "", String(got?.headers["x-hub-signature-256"]))).toBe(true);
      expect(JSON.parse(got?.body ?? "{}")).toMatchObject({
        action: "completed",
        check_run: { conclusion: "failure", head_sha: "a".repeat(40) },
      });
    } finally {
      server.close();
    }
  });
});

describe("webhook deliveries to a Probot app backed by the fake GitHub", () => {
  let fake: FakeGitHub;
  let server: Server;
  let appUrl: string;
  const received: { name: string; action: string | undefined; sender: string }[] = [];

  beforeAll(async () => {
    const keys = await appKeys();
    fake = await createFakeGitHub({ appId: 21, publicKey: keys.publicKey });
    await fake.addRepo({
      owner: "acme",
      name: "widgets",
      files: { ".github/agent.yml": "label: agent\n", "a.txt": "1\n" },
    });
    const probot = new Probot({
      appId: 21,
      privateKey: keys.privateKey,
      secret: SECRET,
      baseUrl: fake.apiUrl,
      Octokit: TestOctokit,
      logLevel: "fatal",
    });
    const middleware = await createNodeMiddleware(
      (app) => {
        app.onAny(async (context) => {
          const payload = context.payload as { action?: string; sender: { login: string } };
          received.push({ name: context.name, action: payload.action, sender: payload.sender.login });
        });
        app.on("issues.labeled", async (context) => {
          const config = await context.config<{ label: string }>("agent.yml");
          await context.octokit.rest.issues.createComment(
            context.issue({ body: `label from config: ${config?.label ?? "none"}` }),
          );
        });
      },
      { probot },
    );
    server = createServer((req, res) => void middleware(req, res, () => res.writeHead(404).end()));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.close();
    await fake.close();
  });

  it("is accepted by Probot, whose handler then talks to the fake with an installation token", async () => {
    const issue = fake.addIssue({ owner: "acme", repo: "widgets", title: "Bug", user: "alice" });
    const target = fakeTarget(fake, "acme", "widgets", "alice");
    const result = await sendWebhook(
      appUrl,
      issuesEvent("labeled", target, {
        issue: { number: issue.number, json: fake.issueJson("acme", "widgets", issue.number) },
        label: "agent",
      }),
      { secret: SECRET },
    );
    expect(result.status).toBe(200);
    expect(received.at(-1)).toEqual({ name: "issues", action: "labeled", sender: "alice" });
    expect(fake.state.issueComments.map((c) => [c.user, c.body])).toEqual([
      ["issuesmith-test[bot]", "label from config: agent"],
    ]);
    expect(fake.errors).toEqual([]);
  });

  it("is refused by Probot when the signature is wrong", async () => {
    const before = received.length;
    const target = fakeTarget(fake, "acme", "widgets", "mallory");
    const result = await sendWebhook(
      appUrl,
      issueCommentEvent("created", target, { issue: { number: 1 }, comment: { body: "/agent fix" } }),
      { secret: "not-the-secret" },
    );
    expect(result.status).toBeGreaterThanOrEqual(400);
    expect(result.status).toBeLessThan(500);
    expect(received.length).toBe(before);
  });

  it("delivers PR, review and review-comment events built from the fake's own JSON", async () => {
    await fake.commit({ owner: "acme", repo: "widgets", branch: "fix", files: { "a.txt": "2\n" } });
    const pull = await fake.addPullRequest({
      owner: "acme",
      repo: "widgets",
      title: "Fix",
      user: "alice",
      head: "fix",
    });
    const review = await fake.addReview({
      owner: "acme",
      repo: "widgets",
      pullNumber: pull.number,
      user: "bob",
      state: "CHANGES_REQUESTED",
      comments: [{ path: "a.txt", line: 1, body: "no" }],
    });
    const target = fakeTarget(fake, "acme", "widgets", "bob");
    const pullRequest = { number: pull.number, json: await fake.pullJson("acme", "widgets", pull.number) };
    for (const delivery of [
      pullRequestEvent("opened", target, { pullRequest }),
      pullRequestReviewEvent("submitted", target, {
        pullRequest,
        review: { state: review.state, json: fake.reviewJson("acme", "widgets", review.id) },
      }),
      pullRequestReviewCommentEvent("created", target, {
        pullRequest,
        comment: { body: "no", json: fake.reviewCommentJson("acme", "widgets", review.comments[0]?.id ?? 0) },
      }),
    ]) {
      expect((await sendWebhook(appUrl, delivery, { secret: SECRET })).status).toBe(200);
    }
    expect(received.slice(-3).map((r) => `${r.name}.${r.action}`)).toEqual([
      "pull_request.opened",
      "pull_request_review.submitted",
      "pull_request_review_comment.created",
    ]);
  });
});

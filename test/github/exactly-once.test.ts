// src/github against the strict fake with the app's own octokit (retries and
// throttling on, as in production): GitHub's failures never make two of anything.
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_REPO_CONFIG } from "../../src/config/repo-config.ts";
import { CHECK_NAME, completeCheckRun, startCheckRun } from "../../src/github/check-runs.ts";
import { postCommentOnce } from "../../src/github/comments.ts";
import { githubOctokit } from "../../src/github/octokit-class.ts";
import type { Octokit } from "../../src/github/octokit.ts";
import { authorize } from "../../src/github/permissions.ts";
import { openOrUpdatePull } from "../../src/github/pull-requests.ts";
import { replyInThread, unresolvedThreads } from "../../src/github/review-threads.ts";
import { createFakeGitHub, type FakeGitHub } from "../support/fake-github.ts";
import { appKeys } from "../support/keys.ts";

const owner = "acme";
const repo = "widgets";
const ref = { owner, repo };
const working = { title: "Working on it", summary: "issuesmith is working on this commit." };

describe("creates on GitHub survive lost answers and rate limits", () => {
  let fake: FakeGitHub;
  let octokit: Octokit;
  let privateKey: string;

  function octokitFor(fakeGitHub: FakeGitHub): Octokit {
    const Production = githubOctokit({ throttle: true });
    return new Production({
      auth: { appId: fakeGitHub.appId, privateKey, installationId: fakeGitHub.installationId },
      baseUrl: fakeGitHub.apiUrl,
      log: pino({ level: "silent" }),
    }) as Octokit;
  }

  beforeAll(async () => {
    const keys = await appKeys();
    privateKey = keys.privateKey;
    fake = await createFakeGitHub({ appId: 41, publicKey: keys.publicKey });
    await fake.addRepo({ owner, name: repo, files: { "src/a.js": "1\n" } });
    fake.addIssue({ owner, repo, title: "Bug" });
    octokit = octokitFor(fake);
  });

  afterAll(() => fake.close());

  const posts = (path: RegExp) => fake.requests.filter((r) => r.method === "POST" && path.test(r.path)).length;

  it("opens one pull request when GitHub made it but the answer was lost", async () => {
    await fake.commit({ owner, repo, branch: "agent/issue-1", files: { "src/a.js": "2\n" } });
    fake.fault("POST", "/repos/{owner}/{repo}/pulls", { kind: "lost-answer" });
    const pr = await openOrUpdatePull(octokit, ref, {
      branch: "agent/issue-1",
      base: "main",
      title: "Fix",
      body: "Closes #1",
      draft: false,
      labels: ["agent"],
    });
    expect(fake.state.pulls).toHaveLength(1);
    expect(pr).toMatchObject({ number: fake.state.pulls[0]!.number, created: true });
    expect(posts(/\/pulls$/)).toBe(1);
    expect(fake.state.issue(`${owner}/${repo}`, pr.number)?.labels).toEqual(["agent"]);
    expect(fake.errors).toEqual([]);
  });

  it("posts one comment through a secondary rate limit followed by a lost answer", async () => {
    fake.fault("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments", {
      kind: "secondary-rate-limit",
      seconds: 1,
    });
    fake.fault("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments", { kind: "lost-answer" });
    const before = posts(/\/issues\/1\/comments$/);
    const id = await postCommentOnce(octokit, ref, 1, "Working on it\n<!-- m:1 -->", "<!-- m:1 -->", {
      lookFirst: false,
    });
    const mine = fake.state.issueComments.filter((c) => c.body.includes("<!-- m:1 -->"));
    expect(mine.map((c) => c.id)).toEqual([id]);
    // the rate-limited request was replayed (GitHub did nothing with it); the lost one was not
    expect(posts(/\/issues\/1\/comments$/) - before).toBe(2);
    expect(fake.errors).toEqual([]);
  });

  it("waits out a primary rate limit and retries a 5xx on reads", async () => {
    fake.fault("GET", "/repos/{owner}/{repo}/issues/{issue_number}", { kind: "primary-rate-limit", seconds: 1 });
    fake.failNext("GET", "/repos/{owner}/{repo}/issues/{issue_number}", 503);
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}", {
      ...ref,
      issue_number: 1,
    });
    expect(data.title).toBe("Bug");
    expect(
      fake.requests.filter((r) => r.path.endsWith("/issues/1") && r.method === "GET").map((r) => r.status),
    ).toEqual([403, 503, 200]);
  });

  it("replies once in a review thread when the answer is lost", async () => {
    const pull = fake.state.pulls[0]!;
    const comment = await fake.addReviewComment({
      owner,
      repo,
      pullNumber: pull.number,
      user: "rev",
      path: "src/a.js",
      line: 1,
      body: "Why 2?",
    });
    fake.fault("POST", /\/replies$/, { kind: "lost-answer" });
    await replyInThread(octokit, ref, pull.number, comment.id, "Because.\n<!-- r:1 -->", { marker: "<!-- r:1 -->" });
    expect(fake.state.reviewComments.filter((c) => c.inReplyToId === comment.id).map((c) => c.body)).toEqual([
      "Because.\n<!-- r:1 -->",
    ]);
  });

  it("makes one check run per job and commit when the answer is lost, and finds it again past the first page", async () => {
    const sha = (await fake.branchSha(owner, repo, "main"))!;
    // another job's runs of the same name fill the first pages of the listing
    for (let i = 0; i < 120; i++)
      fake.addCheckRun({ owner, repo, sha, name: CHECK_NAME, appId: fake.appId, externalId: `other-${i}` });
    fake.fault("POST", "/repos/{owner}/{repo}/check-runs", { kind: "lost-answer" });
    const made = await startCheckRun(octokit, ref, {
      sha,
      externalId: "job-1",
      detailsUrl: undefined,
      output: working,
    });
    const again = await startCheckRun(octokit, ref, {
      sha,
      externalId: "job-1",
      detailsUrl: undefined,
      output: working,
    });
    const mine = fake.state.checkRuns.filter((r) => r.externalId === "job-1");
    expect(mine.map((r) => r.id)).toEqual([made.id]);
    expect(again.id).toBe(made.id);
    await completeCheckRun(octokit, ref, made.id, {
      conclusion: "success",
      output: { title: "Opened #2 — tests pass", summary: "done" },
      detailsUrl: "https://agent.example/jobs/job-1",
    });
    expect(mine[0]).toMatchObject({ status: "completed", conclusion: "success", name: CHECK_NAME });
    expect(mine[0]!.completedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(fake.errors).toEqual([]);
  });

  it("reads every unresolved review thread and every comment across GraphQL's pages", async () => {
    await fake.commit({
      owner,
      repo,
      branch: "agent/long-review",
      files: { "src/a.js": Array.from({ length: 120 }, (_, i) => `${i}`).join("\n") + "\n" },
    });
    const { data: pull } = await octokit.request("POST /repos/{owner}/{repo}/pulls", {
      ...ref,
      head: "agent/long-review",
      base: "main",
      title: "Long",
    });
    const threads120 = Array.from({ length: 120 }, (_, i) => ({
      path: "src/a.js",
      line: i + 1,
      bodies: [`line ${i + 1}`],
    }));
    threads120[0]!.bodies.push(...Array.from({ length: 104 }, (_, i) => `more ${i}`));
    await fake.addReviewThreads({ owner, repo, pullNumber: pull.number, user: "rev", threads: threads120 });
    const threads = await unresolvedThreads(octokit, ref, pull.number);
    expect(threads).toHaveLength(120);
    expect(threads[0]!.comments).toHaveLength(105);
    expect(threads[0]!.comments.at(-1)!.body).toBe("more 103");
    expect(new Set(threads.map((t) => t.line)).size).toBe(120);
    expect(fake.errors).toEqual([]);
  });
});

describe("permissions the features need", () => {
  it("says which permission is missing when a team in allowed_users cannot be checked", async () => {
    const keys = await appKeys();
    const fake = await createFakeGitHub({
      appId: 42,
      publicKey: keys.publicKey,
      permissions: { contents: "write", issues: "write", pull_requests: "write", checks: "write", metadata: "read" },
    });
    try {
      await fake.addRepo({ owner, name: repo });
      fake.addTeamMember(owner, "core", "tess");
      const Production = githubOctokit({ throttle: false });
      const octokit = new Production({
        auth: { appId: fake.appId, privateKey: keys.privateKey, installationId: fake.installationId },
        baseUrl: fake.apiUrl,
        log: pino({ level: "silent" }),
      }) as Octokit;
      const result = await authorize(octokit, ref, "tess", { ...DEFAULT_REPO_CONFIG, allowed_users: ["@acme/core"] });
      expect(result.allowed).toBe(false);
      expect(result.allowed ? "" : result.reason).toContain(
        "`@acme/core` in allowed_users could not be checked: the app lacks the organization's `members: read` permission",
      );
      expect(fake.errors.map((e) => e.kind)).toEqual(["permission"]);
    } finally {
      await fake.close();
    }
  });

  it("lets a team member in allowed_users trigger on an installation with app.yml's permissions", async () => {
    const keys = await appKeys();
    const fake = await createFakeGitHub({ appId: 43, publicKey: keys.publicKey });
    try {
      await fake.addRepo({ owner, name: repo });
      fake.addTeamMember(owner, "core", "tess");
      const Production = githubOctokit({ throttle: false });
      const octokit = new Production({
        auth: { appId: fake.appId, privateKey: keys.privateKey, installationId: fake.installationId },
        baseUrl: fake.apiUrl,
        log: pino({ level: "silent" }),
      }) as Octokit;
      expect(
        await authorize(octokit, ref, "tess", { ...DEFAULT_REPO_CONFIG, allowed_users: ["@acme/core"] }),
      ).toMatchObject({ allowed: true });
      expect(fake.errors).toEqual([]);
    } finally {
      await fake.close();
    }
  });
});

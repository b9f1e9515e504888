// The issue's and the pull request's life: closing, unlabelling, merging.
import { afterEach, describe, expect, it } from "vitest";
import { botComments, pullsOf, startTestApp, MAINTAINER, OWNER, REPO, type TestApp } from "../support/app.ts";
import { issueCommentEvent, issuesEvent, pullRequestEvent } from "../support/webhooks.ts";
import { BUGGY_REPO, FIX_TURNS } from "./fixtures.ts";

let app: TestApp | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

function newIssue(a: TestApp) {
  return a.fake.addIssue({
    owner: OWNER,
    repo: REPO,
    title: "sum() returns the wrong result",
    body: "sum(2, 3) gives -1.",
    user: "reporter",
  });
}

/** Starts a fix whose model edits, then hangs on its next call until `hold` resolves. */
async function runningFix(hold: Promise<void>) {
  app = await startTestApp({ files: BUGGY_REPO, turns: [FIX_TURNS[2]!, { pause: hold, then: FIX_TURNS[4]! }] });
  const issue = newIssue(app);
  await app.send(
    issuesEvent("labeled", app.target(), { issue: { number: issue.number, title: issue.title }, label: "agent" }),
  );
  await app.waitForJobs({
    predicate: (jobs) => jobs.some((j) => j.state === "running") && app!.model.requests.length >= 2,
  });
  return { a: app, issue };
}

async function mergedPull(a: TestApp, number: number, merged: boolean) {
  const json = await a.fake.pullJson(OWNER, REPO, number);
  a.fake.state.issue(`${OWNER}/${REPO}`, number)!.state = "closed";
  return pullRequestEvent("closed", a.target(), {
    pullRequest: {
      number,
      json: { ...json, state: "closed", merged, merged_at: merged ? new Date().toISOString() : null },
    },
  });
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - start;
}

describe("following the issue's life", () => {
  it("cancels a running fix within 10 s when its issue is closed, and the progress comment says it stopped", async () => {
    const hold = deferred();
    const { a, issue } = await runningFix(hold.promise);
    a.fake.state.issue(`${OWNER}/${REPO}`, issue.number)!.state = "closed";
    const closedAt = Date.now();
    await a.send(issuesEvent("closed", a.target(), { issue: { number: issue.number, title: issue.title } }));
    const [fix] = await a.waitForJobs({ timeoutMs: 10_000 });
    expect(Date.now() - closedAt).toBeLessThan(10_000);
    hold.resolve();
    expect(fix).toMatchObject({ state: "cancelled", cancelReason: "the issue was closed", model: "scripted-model" });
    expect(botComments(a, issue.number).some((c) => c.body.includes("Stopped"))).toBe(true);
    expect(pullsOf(a)).toEqual([]);
  });

  it("ends the progress comment of a job cancelled while it waited, saying why", async () => {
    const hold = deferred();
    app = await startTestApp({
      files: BUGGY_REPO,
      turns: [FIX_TURNS[2]!, { pause: hold.promise, then: FIX_TURNS[4]! }],
      env: { AGENT_CONCURRENCY: "1", AGENT_INSTALLATION_CONCURRENCY: "1" },
    });
    const a = app;
    const first = newIssue(a);
    await a.send(
      issuesEvent("labeled", a.target(), { issue: { number: first.number, title: first.title }, label: "agent" }),
    );
    await a.waitForJobs({ predicate: (jobs) => jobs.some((j) => j.state === "running") });
    const second = a.fake.addIssue({ owner: OWNER, repo: REPO, title: "another bug", body: "", user: "reporter" });
    await a.send(
      issuesEvent("labeled", a.target(), { issue: { number: second.number, title: second.title }, label: "agent" }),
    );
    await waitFor(async () => botComments(a, second.number).some((c) => c.body.includes("Queued")));
    a.fake.state.issue(`${OWNER}/${REPO}`, second.number)!.state = "closed";
    await a.send(issuesEvent("closed", a.target(), { issue: { number: second.number, title: second.title } }));
    await waitFor(async () =>
      botComments(a, second.number).some((c) => c.body.includes("Cancelled before it started: the issue was closed")),
    );
    expect(botComments(a, second.number)).toHaveLength(1);
    hold.resolve();
  });

  it("cancels when the trigger label is removed, and ignores any other label", async () => {
    const hold = deferred();
    const { a, issue } = await runningFix(hold.promise);
    await a.send(
      issuesEvent("unlabeled", a.target(), { issue: { number: issue.number, title: issue.title }, label: "bug" }),
    );
    await new Promise((r) => setTimeout(r, 300));
    expect((await a.runtime.queue.list())[0]?.state).toBe("running");
    await a.send(
      issuesEvent("unlabeled", a.target(), { issue: { number: issue.number, title: issue.title }, label: "Agent" }),
    );
    const [fix] = await a.waitForJobs({ timeoutMs: 10_000 });
    hold.resolve();
    expect(fix).toMatchObject({ state: "cancelled", cancelReason: "the `agent` label was removed" });
  });
});

describe("following the pull request's life", () => {
  it("deletes the checkpoint branches of its jobs when the app's pull request is merged, and no one else's", async () => {
    app = await startTestApp({ files: BUGGY_REPO, turns: FIX_TURNS });
    const issue = newIssue(app);
    await app.send(
      issuesEvent("labeled", app.target(), { issue: { number: issue.number, title: issue.title }, label: "agent" }),
    );
    const [fix] = await app.waitForJobs();
    const [pr] = pullsOf(app);
    expect(pr).toBeDefined();
    const head = (await app.fake.branchSha(OWNER, REPO, pr!.head))!;
    // Checkpoints left by the job (as after a stop) and by its second attempt, one of another job, and one whose
    // name only starts like the job's.
    await app.fake.git(OWNER, REPO, ["update-ref", `refs/heads/agent/wip/${fix!.id}`, head]);
    await app.fake.git(OWNER, REPO, ["update-ref", `refs/heads/agent/wip/${fix!.id}-2`, head]);
    await app.fake.git(OWNER, REPO, ["update-ref", "refs/heads/agent/wip/someone-else", head]);
    await app.fake.git(OWNER, REPO, ["update-ref", `refs/heads/agent/wip/${fix!.id}-x`, head]);
    await app.send(await mergedPull(app, pr!.number, true));
    await waitFor(async () => (await app!.fake.branchSha(OWNER, REPO, `agent/wip/${fix!.id}`)) === null);
    await waitFor(async () => (await app!.fake.branchSha(OWNER, REPO, `agent/wip/${fix!.id}-2`)) === null);
    expect(await app.fake.branchSha(OWNER, REPO, "agent/wip/someone-else")).toBe(head);
    expect(await app.fake.branchSha(OWNER, REPO, `agent/wip/${fix!.id}-x`)).toBe(head);
  });

  it("never revises the app's closed pull request until it is reopened: a /agent fix there gets a reply, no job", async () => {
    app = await startTestApp({ files: BUGGY_REPO, turns: FIX_TURNS, env: { AGENT_CONCURRENCY: "1" } });
    const issue = newIssue(app);
    await app.send(
      issuesEvent("labeled", app.target(), { issue: { number: issue.number, title: issue.title }, label: "agent" }),
    );
    await app.waitForJobs();
    const [pr] = pullsOf(app);
    await app.send(await mergedPull(app, pr!.number, false));

    const body = "/agent fix rename the function";
    const c = app.fake.addIssueComment({ owner: OWNER, repo: REPO, issueNumber: pr!.number, user: MAINTAINER, body });
    const delivery = issueCommentEvent("created", app.target(), {
      issue: { number: pr!.number, isPullRequest: true },
      comment: { id: c.id, body },
    });
    (delivery.payload["issue"] as Record<string, unknown>)["state"] = "closed";
    await app.send(delivery);
    const jobs = await app.waitForJobs({ count: 2 });
    expect(jobs.map((j) => j.kind).sort()).toEqual(["fix", "reply"]);
    expect(botComments(app, pr!.number).at(-1)?.body).toMatch(/closed, so I will not change it. Reopen it/);
  });
});

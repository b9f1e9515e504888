// The Checks view: each job on a pull request, and the pull request the app
// opens, gets an "issuesmith" check run on the head commit — in progress while
// it works, then success, failure or neutral with the summary, the test tail
// and the trajectory link. A Checks API that refuses never fails the job.
import { afterEach, describe, expect, it } from "vitest";
import { appMetrics } from "../../src/jobs/metrics.ts";
import { pullsOf, startTestApp, MAINTAINER, OWNER, REPO, type TestApp } from "../support/app.ts";
import type { CheckRunRecord } from "../support/fake-github.ts";
import { checkRunEvent, issueCommentEvent, issuesEvent } from "../support/webhooks.ts";
import { BUGGY_REPO, FIX_TURNS } from "./fixtures.ts";

let app: TestApp | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

const PUBLIC_URL = "https://agent.example";

async function labelIssue(a: TestApp) {
  const issue = a.fake.addIssue({ owner: OWNER, repo: REPO, title: "sum() is wrong", body: "sum(2, 3) gives -1." });
  await a.send(
    issuesEvent("labeled", a.target(), { issue: { number: issue.number, title: issue.title }, label: "agent" }),
  );
  return issue;
}

function commentOnPull(a: TestApp, number: number, body: string) {
  const c = a.fake.addIssueComment({ owner: OWNER, repo: REPO, issueNumber: number, user: MAINTAINER, body });
  return a.send(
    issueCommentEvent("created", a.target(), { issue: { number, isPullRequest: true }, comment: { id: c.id, body } }),
  );
}

function runsOn(a: TestApp, sha: string): CheckRunRecord[] {
  return a.fake.state.checkRuns.filter((r) => r.headSha === sha && r.name === "issuesmith");
}

function checkRequests(a: TestApp) {
  return a.fake.requests.filter((r) => r.operationId?.startsWith("checks/"));
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const EDIT_AGAIN = {
  toolCalls: [
    {
      name: "edit",
      arguments: { path: "src/sum.js", old_str: "export function sum", new_str: "/** Adds. */\nexport function sum" },
    },
  ],
};

describe("the check run of the pull request the app opens", () => {
  it("is in progress on the pushed commit before the PR opens, then succeeds with the summary, the test tail and the trajectory link", async () => {
    app = await startTestApp({ files: BUGGY_REPO, turns: FIX_TURNS, env: { AGENT_PUBLIC_URL: PUBLIC_URL } });
    await labelIssue(app);
    const [job] = await app.waitForJobs();
    expect(job?.outcome?.status).toBe("pr_opened");
    const [pr] = pullsOf(app);
    const head = (await app.fake.branchSha(OWNER, REPO, pr!.head))!;
    const runs = runsOn(app, head);
    expect(runs).toHaveLength(1);
    const run = runs[0]!;
    expect(run).toMatchObject({ status: "completed", conclusion: "success", externalId: job!.id });
    expect(run.completedAt).not.toBeNull();
    expect(run.detailsUrl).toMatch(new RegExp(`^${PUBLIC_URL}/jobs/${job!.id}`));
    expect(run.output.title).toBe(`Opened #${pr!.number} — tests pass`);
    expect(run.output.summary).toContain("`sum` subtracted instead of adding.");
    expect(run.output.summary).toContain("Tests: `npm test` passed.");
    expect(run.output.summary).toContain(`](${run.detailsUrl})`);
    expect(run.output.text).toMatch(/^### Last test output\n\n```\n[\s\S]*pass 1[\s\S]*\n```$/);
    // Made in progress, before the pull request was opened; then completed.
    const created = app.fake.requests.findIndex((r) => r.operationId === "checks/create");
    const opened = app.fake.requests.findIndex((r) => r.operationId === "pulls/create");
    expect(created).toBeGreaterThanOrEqual(0);
    expect(created).toBeLessThan(opened);
    expect(JSON.parse(app.fake.requests[created]!.body)).toMatchObject({ status: "in_progress", external_id: job!.id });
    expect(checkRequests(app).filter((r) => r.operationId === "checks/update")).toHaveLength(1);
    expect(app.fake.errors).toEqual([]);
  });

  it("fails on a draft whose tests fail, showing the failing output", async () => {
    app = await startTestApp({
      files: { ...BUGGY_REPO, ".github/agent.yml": "budget:\n  test_rounds: 0\n" },
      turns: [
        {
          toolCalls: [
            { name: "edit", arguments: { path: "src/sum.js", old_str: "return a - b;", new_str: "return a * b;" } },
          ],
        },
        { toolCalls: [{ name: "finish", arguments: { summary: "Changed the operator." } }] },
      ],
    });
    await labelIssue(app);
    const [job] = await app.waitForJobs();
    expect(job?.outcome?.status).toBe("tests_failing");
    const [pr] = pullsOf(app);
    expect(pr?.draft).toBe(true);
    const [run] = runsOn(app, (await app.fake.branchSha(OWNER, REPO, pr!.head))!);
    expect(run).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(run!.output.title).toBe(`Opened draft #${pr!.number} — tests still fail`);
    expect(run!.output.summary).toMatch(/Tests: `npm test` failed \(exit code 1\)\./);
    expect(run!.output.text).toContain("fail 1");
    // no public URL: no details link, and the summary names the job instead
    expect(run!.detailsUrl).toBeNull();
    expect(run!.output.summary).toContain(`issuesmith job \`${job!.id.slice(0, 8)}\``);
  });
});

describe("the check runs of a revision", () => {
  it("runs on the PR's head while it works; the new commit gets its own run with the result", async () => {
    app = await startTestApp({
      files: BUGGY_REPO,
      turns: [...FIX_TURNS, EDIT_AGAIN, { toolCalls: [{ name: "finish", arguments: { summary: "Documented sum." } }] }],
    });
    await labelIssue(app);
    await app.waitForJobs();
    const [pr] = pullsOf(app);
    const before = (await app.fake.branchSha(OWNER, REPO, pr!.head))!;
    await commentOnPull(app, pr!.number, "/agent fix document sum");
    const jobs = await app.waitForJobs({ count: 2 });
    const revise = jobs.find((j) => j.kind === "revise")!;
    expect(revise.outcome?.status).toBe("pr_updated");
    const after = (await app.fake.branchSha(OWNER, REPO, pr!.head))!;
    expect(after).not.toBe(before);
    // The old head: the fix job's run, and the revision's, superseded by the new commit.
    const old = runsOn(app, before);
    expect(old.map((r) => [r.externalId === revise.id, r.conclusion])).toEqual([
      [false, "success"],
      [true, "neutral"],
    ]);
    expect(old[1]!.output.title).toBe(`Superseded by ${after.slice(0, 7)}`);
    const [fresh] = runsOn(app, after);
    expect(fresh).toMatchObject({ externalId: revise.id, status: "completed", conclusion: "success" });
    expect(fresh!.output.title).toMatch(new RegExp(`^Pushed ${after.slice(0, 7)} to #${pr!.number} — tests pass`));
    expect(fresh!.output.summary).toContain("Documented sum.");
    // The revision's run on the old head was made in progress when it started.
    const creates = checkRequests(app).filter((r) => r.operationId === "checks/create");
    expect(creates.map((r) => JSON.parse(r.body).head_sha)).toEqual([before, before, after]);
    expect(app.fake.errors).toEqual([]);
  });

  it("ends neutral, 'Stopped on request', on /agent stop", async () => {
    const hold = deferred();
    app = await startTestApp({
      files: BUGGY_REPO,
      turns: [
        ...FIX_TURNS,
        { pause: hold.promise, then: { toolCalls: [{ name: "finish", arguments: { summary: "x" } }] } },
      ],
    });
    await labelIssue(app);
    await app.waitForJobs();
    const [pr] = pullsOf(app);
    const head = (await app.fake.branchSha(OWNER, REPO, pr!.head))!;
    await commentOnPull(app, pr!.number, "/agent fix document sum");
    await app.waitForJobs({
      predicate: (jobs) =>
        jobs.some((j) => j.kind === "revise" && j.state === "running") && runsOn(app!, head).length === 2,
    });
    expect(runsOn(app, head)[1]).toMatchObject({ status: "in_progress", conclusion: null });
    await commentOnPull(app, pr!.number, "/agent stop");
    const jobs = await app.waitForJobs({ count: 3, timeoutMs: 15_000 });
    hold.resolve();
    const revise = jobs.find((j) => j.kind === "revise")!;
    expect(revise.state).toBe("cancelled");
    const run = runsOn(app, head).find((r) => r.externalId === revise.id)!;
    expect(run).toMatchObject({ status: "completed", conclusion: "neutral" });
    expect(run.output.title).toBe("Stopped on request");
  });
});

describe("the check runs of /agent update", () => {
  it("gives the merge commit its own run, tested, and supersedes the one on the old head", async () => {
    app = await startTestApp({ files: BUGGY_REPO, turns: FIX_TURNS });
    await labelIssue(app);
    await app.waitForJobs();
    const [pr] = pullsOf(app);
    const before = (await app.fake.branchSha(OWNER, REPO, pr!.head))!;
    await app.fake.commit({ owner: OWNER, repo: REPO, branch: "main", files: { "docs.md": "# docs\n" } });
    await commentOnPull(app, pr!.number, "/agent update");
    const jobs = await app.waitForJobs({ count: 2 });
    const update = jobs.find((j) => j.kind === "update")!;
    expect(update.outcome?.status).toBe("pr_updated");
    const merge = (await app.fake.branchSha(OWNER, REPO, pr!.head))!;
    expect(runsOn(app, before).map((r) => [r.externalId === update.id, r.conclusion])).toEqual([
      [false, "success"],
      [true, "neutral"],
    ]);
    const [run] = runsOn(app, merge);
    expect(run).toMatchObject({ externalId: update.id, conclusion: "success" });
    expect(run!.output.title).toBe(`Brought #${pr!.number} up to date with \`main\``);
    expect(run!.output.summary).toContain("Tests: `npm test` passed.");
    expect(app.fake.errors).toEqual([]);
  });
});

describe("a Checks API that refuses", () => {
  it("never fails the job: without the checks permission (403) it asks once, then goes on", async () => {
    app = await startTestApp({
      files: BUGGY_REPO,
      turns: FIX_TURNS,
      permissions: { contents: "write", issues: "write", pull_requests: "write", metadata: "read" },
    });
    await labelIssue(app);
    const [job] = await app.waitForJobs();
    expect(job?.outcome?.status).toBe("pr_opened");
    expect(app.fake.state.checkRuns).toEqual([]);
    expect(checkRequests(app).map((r) => r.status)).toEqual([403]);
    expect(app.logs.some((l) => l.includes("could not start the check run"))).toBe(true);
    expect(app.fake.errors.map((e) => e.kind)).toEqual(["permission"]);
  });

  it("never fails the job: a create that keeps answering 500 is given up after two tries", async () => {
    app = await startTestApp({ files: BUGGY_REPO, turns: FIX_TURNS });
    app.fake.failNext("POST", "/repos/{owner}/{repo}/check-runs", 500, 10);
    await labelIssue(app);
    const [job] = await app.waitForJobs();
    expect(job?.outcome?.status).toBe("pr_opened");
    expect(pullsOf(app)).toHaveLength(1);
    expect(app.fake.state.checkRuns).toEqual([]);
    expect(
      app.fake.requests.filter((r) => r.method === "POST" && r.path.endsWith("/check-runs")).map((r) => r.status),
    ).toEqual([500, 500]);
    expect(app.logs.some((l) => l.includes("could not start the check run"))).toBe(true);
  });
});

describe("check_run events about the app's own runs", () => {
  it("starts no ci_fix revision when the app's own run failed", async () => {
    app = await startTestApp({
      files: { ...BUGGY_REPO, ".github/agent.yml": "ci_fix: true\nci_fix_rounds: 3\nbudget:\n  test_rounds: 0\n" },
      turns: [
        {
          toolCalls: [
            { name: "edit", arguments: { path: "src/sum.js", old_str: "return a - b;", new_str: "return a * b;" } },
          ],
        },
        { toolCalls: [{ name: "finish", arguments: { summary: "Changed the operator." } }] },
      ],
    });
    await labelIssue(app);
    await app.waitForJobs();
    const [pr] = pullsOf(app);
    const sha = (await app.fake.branchSha(OWNER, REPO, pr!.head))!;
    const [run] = runsOn(app, sha);
    expect(run?.conclusion).toBe("failure");
    const ignored = async () =>
      Number(
        (await appMetrics().text()).match(
          /webhook_deliveries_total\{event="check_run\.completed",result="ignored"\} (\d+)/,
        )?.[1] ?? 0,
      );
    const was = await ignored();
    const res = await app.send(
      checkRunEvent("completed", app.target(app.fake.botLogin), {
        checkRun: {
          id: run!.id,
          name: "issuesmith",
          headSha: sha,
          conclusion: "failure",
          appId: app.fake.appId,
          appSlug: app.fake.appSlug,
          output: { title: run!.output.title, summary: run!.output.summary },
          pullRequests: [{ number: pr!.number, head: { ref: pr!.head, sha }, base: { ref: "main" } }],
        },
      }),
    );
    expect(res.status).toBe(200);
    expect(await ignored()).toBe(was + 1);
    expect(await app.runtime.queue.list()).toHaveLength(1);
  });
});

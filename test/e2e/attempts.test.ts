// Several attempts of one fix job, judged by the app's own test run (issue 16):
// through the fake GitHub, the real git remote and a scripted model that
// answers each attempt by the number its task names.
import { afterEach, describe, expect, it } from "vitest";
import { botComments, pullsOf, startTestApp, MAINTAINER, OWNER, REPO, type TestApp } from "../support/app.ts";
import type { ReplyTurn } from "../support/model-server.ts";
import { issueCommentEvent, issuesEvent } from "../support/webhooks.ts";
import { BUGGY_REPO, perAttempt } from "./fixtures.ts";

let app: TestApp | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

const ATTEMPTS_2 = "attempts: 2\nbudget:\n  test_rounds: 0\n";

function edit(to: string): ReplyTurn {
  return { toolCalls: [{ name: "edit", arguments: { path: "src/sum.js", old_str: "return a - b;", new_str: to } }] };
}
const FINISH: ReplyTurn = { toolCalls: [{ name: "finish", arguments: { summary: "Changed the operator." } }] };

function newIssue(a: TestApp) {
  return a.fake.addIssue({
    owner: OWNER,
    repo: REPO,
    title: "sum() returns the wrong result",
    body: "sum(2, 3) gives -1.",
    user: "reporter",
  });
}

function comment(a: TestApp, number: number, body: string) {
  const c = a.fake.addIssueComment({ owner: OWNER, repo: REPO, issueNumber: number, user: MAINTAINER, body });
  return a.send(
    issueCommentEvent("created", a.target(MAINTAINER), {
      issue: { number, isPullRequest: false },
      comment: { id: c.id, body },
    }),
  );
}

async function labelIssue(a: TestApp) {
  const issue = newIssue(a);
  await a.send(
    issuesEvent("labeled", a.target(MAINTAINER), {
      issue: { number: issue.number, title: issue.title, body: issue.body ?? "" },
      label: "agent",
    }),
  );
  return issue;
}

describe("attempts: 2 — the tests pick the pull request", () => {
  it("opens the PR from the attempt whose tests pass and lists the one whose tests failed", async () => {
    const publicUrl = "https://issuesmith.example.com";
    app = await startTestApp({
      files: { ...BUGGY_REPO, ".github/agent.yml": ATTEMPTS_2 },
      turns: perAttempt({ 1: [edit("return a * b;"), FINISH], 2: [edit("return a + b;"), FINISH] }, 4),
      env: { AGENT_PUBLIC_URL: publicUrl },
    });
    const issue = await labelIssue(app);
    const [job] = await app.waitForJobs();
    expect(job?.outcome?.status, JSON.stringify(job?.outcome)).toBe("pr_opened");

    const pulls = pullsOf(app);
    expect(pulls).toHaveLength(1);
    const pr = pulls[0]!;
    expect(pr.draft).toBe(false);
    expect(await app.fake.readFile(OWNER, REPO, pr.head, "src/sum.js")).toContain("return a + b;");
    expect(pr.body).toContain("## Attempts");
    expect(pr.body).toMatch(/\| \*\*#2 \(this one\)\*\* \| ✅ tests pass \| 2 lines \| 2 \|/);
    expect(pr.body).toMatch(/\| #1 \| ❌ tests fail \(exit code 1\) \| 2 lines \| 2 \|/);
    // Each attempt's trajectory link opens its own page, with its own diff.
    const link = (n: number) =>
      new RegExp(`\\| #${n}[^\\n]*\\[trajectory\\]\\(${publicUrl}([^)]+)\\)`).exec(pr.body)?.[1];
    expect(link(1)).toContain(`/jobs/${job!.id}-attempt-1?exp=`);
    const page = await fetch(`${app.url}${link(1)!}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<span class="add">+  return a * b;</span>');
    expect(pr.body).toContain("Tests pass");
    // Both attempts ran their own conversation; each had its own wip branch, none is left behind.
    expect(app.model.requests.filter((r) => r.path.endsWith("/chat/completions"))).toHaveLength(4);
    expect(await app.fake.git(OWNER, REPO, ["branch", "--list"])).not.toContain("wip/");
    const [comment] = botComments(app, issue.number);
    expect(comment?.body).toContain(`#${pr.number} — tests pass`);
    expect(comment?.body).toContain("## Attempts");
    expect(app.fake.errors).toEqual([]);
  });

  it("opens the best failing attempt as a draft and says all 2 attempts failed (asked with --attempts 2)", async () => {
    app = await startTestApp({
      files: { ...BUGGY_REPO, ".github/agent.yml": "budget:\n  test_rounds: 0\n" },
      turns: perAttempt(
        {
          // Attempt 2 changes more lines for the same failure: attempt 1 is the better draft.
          1: [edit("return a * b;"), FINISH],
          2: [edit("const c = a * b;\n  return c;"), FINISH],
        },
        4,
      ),
    });
    const issue = newIssue(app);
    await comment(app, issue.number, "/agent fix --attempts 2");
    const [job] = await app.waitForJobs();
    expect(job?.trigger.attempts).toBe(2);
    expect(job?.outcome?.status, JSON.stringify(job?.outcome)).toBe("tests_failing");
    const [pr] = pullsOf(app);
    expect(pr?.draft).toBe(true);
    expect(await app.fake.readFile(OWNER, REPO, pr!.head, "src/sum.js")).toContain("return a * b;");
    expect(pr?.body).toContain("**All 2 attempts failed**");
    expect(pr?.body).toMatch(/\| \*\*#1 \(this one\)\*\* \| ❌ tests fail \(exit code 1\) \| 2 lines \|/);
    expect(pr?.body).toMatch(/\| #2 \| ❌ tests fail \(exit code 1\) \| 3 lines \|/);
    const [report] = botComments(app, issue.number);
    expect(report?.body).toContain(`draft #${pr?.number} — all 2 attempts failed; tests still fail`);
  });

  it("stops every attempt on /agent stop", async () => {
    let release!: () => void;
    const hold = new Promise<void>((resolve) => (release = resolve));
    const held = { pause: hold, then: FINISH };
    app = await startTestApp({
      files: { ...BUGGY_REPO, ".github/agent.yml": ATTEMPTS_2 },
      turns: perAttempt({ 1: [edit("return a + b;"), held], 2: [edit("return a * b;"), held] }, 4),
    });
    const issue = await labelIssue(app);
    // Both attempts edited and are waiting on the model.
    await app.waitForJobs({ predicate: () => app!.model.requests.length >= 4, timeoutMs: 30_000 });
    const asked = Date.now();
    await comment(app, issue.number, "/agent stop");
    const jobs = await app.waitForJobs({ count: 2, timeoutMs: 10_000 });
    expect(Date.now() - asked).toBeLessThan(10_000);
    release();
    const fix = jobs.find((j) => j.kind === "fix")!;
    expect(fix.outcome?.status, JSON.stringify(fix.outcome)).toBe("cancelled");
    // No attempt asked the model again after the stop.
    expect(app.model.requests).toHaveLength(4);
    const texts = botComments(app, issue.number).map((t) => t.body);
    const report = texts.find((t) => t.includes("Stopped on request"));
    expect(report).toContain("of the best of 2 attempts (all were stopped)");
    expect(pullsOf(app)).toEqual([]);
  });

  it("answers --attempts beyond the cap with the limit, and runs no job", async () => {
    app = await startTestApp({ files: BUGGY_REPO });
    const issue = newIssue(app);
    await comment(app, issue.number, "/agent fix --attempts 9");
    const jobs = await app.waitForJobs();
    expect(jobs.map((j) => j.kind)).toEqual(["reply"]);
    const [reply] = botComments(app, issue.number);
    expect(reply?.body).toMatch(
      /^`--attempts` takes a whole number from 1 to 5 \(each attempt is a whole run of the model\), not `9`\.\n/,
    );
    expect(app.model.requests).toEqual([]);
  });
});

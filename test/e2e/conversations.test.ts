import { afterEach, describe, expect, it } from "vitest";
import { botComments, pullsOf, startTestApp, MAINTAINER, OWNER, REPO, type TestApp } from "../support/app.ts";
import {
  checkRunEvent,
  issueCommentEvent,
  issuesEvent,
  pullRequestReviewCommentEvent,
  pullRequestReviewEvent,
} from "../support/webhooks.ts";
import { BUGGY_REPO, FIX_TURNS } from "./fixtures.ts";

let app: TestApp | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

function newIssue(a: TestApp) {
  return a.fake.addIssue({
    owner: OWNER,
    repo: REPO,
    title: "sum() returns the wrong result",
    body: "sum(2, 3) gives -1.",
    user: "reporter",
  });
}

function comment(a: TestApp, number: number, body: string, options: { sender?: string; isPullRequest?: boolean } = {}) {
  const c = a.fake.addIssueComment({
    owner: OWNER,
    repo: REPO,
    issueNumber: number,
    user: options.sender ?? MAINTAINER,
    body,
  });
  return a.send(
    issueCommentEvent("created", a.target(options.sender ?? MAINTAINER), {
      issue: { number, isPullRequest: options.isPullRequest ?? false },
      comment: { id: c.id, body },
    }),
  );
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe("review iteration on the app's own pull request", () => {
  it("answers a changes-requested review with two inline comments with one follow-up commit and two threaded replies", async () => {
    const revise = [
      (req: { lastMessageText: string; messages: { content?: unknown }[] }) => {
        const all = JSON.stringify(req.messages);
        // The model sees both threads: file, line, hunk and text, fenced as data.
        expect(all).toContain("Please document what sum returns");
        expect(all).toContain("Add a test for negative numbers");
        expect(all).toContain("src/sum.js:2");
        expect(all).toContain("untrusted-data");
        return {
          toolCalls: [
            {
              name: "edit",
              arguments: {
                path: "src/sum.js",
                old_str: "export function sum(a, b) {",
                new_str: "/** Returns a + b. */\nexport function sum(a, b) {",
              },
            },
          ],
        };
      },
      {
        toolCalls: [
          {
            name: "edit",
            arguments: {
              path: "test/sum.test.js",
              old_str: "  assert.equal(sum(2, 3), 5);\n});\n",
              new_str:
                '  assert.equal(sum(2, 3), 5);\n});\n\ntest("adds negative numbers", () => {\n  assert.equal(sum(-2, -3), -5);\n});\n',
            },
          },
        ],
      },
      {
        toolCalls: [
          { name: "finish", arguments: { summary: "Documented sum and added a test for negative numbers." } },
        ],
      },
    ];
    app = await startTestApp({ files: BUGGY_REPO, turns: [...FIX_TURNS, ...revise] });
    const issue = newIssue(app);
    await app.send(
      issuesEvent("labeled", app.target(), { issue: { number: issue.number, title: issue.title }, label: "agent" }),
    );
    await app.waitForJobs();
    const [pr] = pullsOf(app);
    expect(pr).toBeDefined();
    const firstHead = await app.fake.branchSha(OWNER, REPO, pr!.head);

    const review = await app.fake.addReview({
      owner: OWNER,
      repo: REPO,
      pullNumber: pr!.number,
      user: MAINTAINER,
      state: "CHANGES_REQUESTED",
      body: "Two small things.",
      comments: [
        { path: "src/sum.js", line: 2, body: "Please document what sum returns." },
        { path: "test/sum.test.js", line: 6, body: "Add a test for negative numbers." },
      ],
    });
    const pullJson = await app.fake.pullJson(OWNER, REPO, pr!.number);
    // GitHub sends the review, then one event per inline comment: one run, not three.
    await app.send(
      pullRequestReviewEvent("submitted", app.target(), {
        pullRequest: { number: pr!.number, json: pullJson },
        review: { state: "CHANGES_REQUESTED", json: app.fake.reviewJson(OWNER, REPO, review.id) },
      }),
    );
    for (const c of review.comments) {
      await app.send(
        pullRequestReviewCommentEvent("created", app.target(), {
          pullRequest: { number: pr!.number, json: pullJson },
          comment: { body: c.body, json: app.fake.reviewCommentJson(OWNER, REPO, c.id) },
        }),
      );
    }
    const jobs = await app.waitForJobs({ count: 2 });
    expect(jobs.map((j) => j.kind).sort()).toEqual(["fix", "revise"]);
    expect(jobs.find((j) => j.kind === "revise")?.outcome?.status).toBe("pr_updated");

    // Exactly one new commit on the same branch, on top of the first: no force-push.
    const log = await app.fake.git(OWNER, REPO, ["log", "--format=%H", `${firstHead}..${pr!.head}`]);
    expect(log.trim().split("\n")).toHaveLength(1);
    expect(app.fake.pushes.filter((p) => p.ref === `refs/heads/${pr!.head}`).every((p) => !p.forced)).toBe(true);
    expect(await app.fake.readFile(OWNER, REPO, pr!.head, "test/sum.test.js")).toContain("adds negative numbers");

    // A reply in each thread, linking the commit.
    const replies = app.fake.state.reviewComments.filter((c) => c.user === app!.fake.botLogin);
    expect(replies).toHaveLength(2);
    expect(new Set(replies.map((r) => r.inReplyToId))).toEqual(new Set(review.comments.map((c) => c.id)));
    for (const r of replies) expect(r.body).toMatch(/Addressed in \[`[0-9a-f]{7}`\]/);
    // The PR body's result is brought up to date.
    const [updated] = pullsOf(app);
    expect(updated!.body).toContain("Latest revision");
    expect(updated!.body).toContain("Documented sum");
    expect(app.fake.errors).toEqual([]);
  });
});

describe("/agent commands", () => {
  it("replies to /agent plan with a plan and pushes nothing", async () => {
    app = await startTestApp({
      files: BUGGY_REPO,
      turns: [
        (req) => {
          // A plan gets read-only tools.
          const names = (req.body.tools as { function: { name: string } }[]).map((t) => t.function.name).sort();
          expect(names).toEqual(["finish", "search", "view"]);
          return { toolCalls: [{ name: "view", arguments: { path: "src/sum.js" } }] };
        },
        {
          toolCalls: [
            {
              name: "finish",
              arguments: {
                summary:
                  "**Files to touch** — `src/sum.js`: use `+`.\n\n**Approach** — fix the operator.\n\n**Risks** — none.\n\n**How it will be tested** — `npm test`.",
              },
            },
          ],
        },
      ],
    });
    const issue = newIssue(app);
    await comment(app, issue.number, "/agent plan");
    const [job] = await app.waitForJobs();
    expect(job?.kind).toBe("plan");
    expect(job?.outcome?.status).toBe("plan_posted");
    const [progress] = botComments(app, issue.number);
    expect(progress?.body).toContain("Files to touch");
    expect(progress?.body).toContain("Nothing was changed");
    expect(app.fake.pushes).toEqual([]);
    expect(pullsOf(app)).toEqual([]);
  });

  it("stops a running job within 10 s on /agent stop, keeps the work made, and says so", async () => {
    const hold = deferred();
    // The model edits a file, then hangs in its next call.
    app = await startTestApp({
      files: BUGGY_REPO,
      turns: [FIX_TURNS[2]!, { pause: hold.promise, then: FIX_TURNS[4]! }],
    });
    const issue = newIssue(app);
    await app.send(
      issuesEvent("labeled", app.target(), { issue: { number: issue.number, title: issue.title }, label: "agent" }),
    );
    await app.waitForJobs({
      predicate: (jobs) => jobs.some((j) => j.state === "running") && app!.model.requests.length >= 2,
    });
    const asked = Date.now();
    await comment(app, issue.number, "/agent stop");
    const jobs = await app.waitForJobs({ count: 2, timeoutMs: 10_000 });
    expect(Date.now() - asked).toBeLessThan(10_000);
    hold.resolve();
    const fix = jobs.find((j) => j.kind === "fix")!;
    expect(fix.outcome, JSON.stringify(fix.outcome)).toMatchObject({ status: "cancelled" });
    expect(fix.state).toBe("cancelled");
    expect(fix.cancelReason).toBe(`stopped by @${MAINTAINER}`);
    const texts = botComments(app, issue.number).map((c) => c.body);
    expect(texts.some((t) => t.includes("Stopped on request") && t.includes("pushed to branch"))).toBe(true);
    expect(texts.some((t) => t.startsWith("Stopping"))).toBe(true);
    // The edit was pushed as it stands; no PR was opened.
    expect(pullsOf(app)).toEqual([]);
    const branch = app.fake.pushes
      .find((p) => p.ref.startsWith("refs/heads/agent/issue-"))
      ?.ref.replace("refs/heads/", "");
    expect(branch).toBeDefined();
    expect(await app.fake.readFile(OWNER, REPO, branch!, "src/sum.js")).toContain("return a + b;");
  });

  it("coalesces two quick comments that arrive while a job runs into one next run", async () => {
    const hold = deferred();
    app = await startTestApp({
      // No extra test rounds: each run is one model turn.
      files: { ...BUGGY_REPO, ".github/agent.yml": "budget:\n  test_rounds: 0\n" },
      turns: [
        { pause: hold.promise, then: { toolCalls: [{ name: "finish", arguments: { summary: "nothing to do" } }] } },
        { toolCalls: [{ name: "finish", arguments: { summary: "second run" } }] },
      ],
      env: { AGENT_CONCURRENCY: "1" },
    });
    const issue = newIssue(app);
    await comment(app, issue.number, "/agent fix first");
    await app.waitForJobs({ predicate: (jobs) => jobs.some((j) => j.state === "running") });
    await comment(app, issue.number, "/agent fix also this");
    await comment(app, issue.number, "/agent fix and that");
    hold.resolve();
    const jobs = await app.waitForJobs({ count: 2 });
    const second = jobs.find((j) => j.trigger.text === "also this")!;
    expect(jobs).toHaveLength(2);
    expect(second.triggers.map((t) => t.text)).toEqual(["also this", "and that"]);
    // The second run's model saw both requests.
    const lastRequest = JSON.stringify(app.model.requests.at(-1)?.body);
    expect(lastRequest).toContain("also this");
    expect(lastRequest).toContain("and that");
  }, 60_000);

  it("answers someone with read permission with a refusal and no job", async () => {
    app = await startTestApp({ files: BUGGY_REPO });
    app.fake.setPermission(OWNER, REPO, "visitor", "read");
    const issue = newIssue(app);
    await comment(app, issue.number, "/agent fix please", { sender: "visitor" });
    const jobs = await app.waitForJobs();
    expect(jobs.map((j) => j.kind)).toEqual(["reply"]);
    expect(botComments(app, issue.number).at(-1)?.body).toMatch(/^Sorry @visitor/);
  });

  it("does nothing at all for a bot's /agent fix", async () => {
    app = await startTestApp({ files: BUGGY_REPO });
    const issue = newIssue(app);
    const res = await comment(app, issue.number, "/agent fix", { sender: "dependabot[bot]" });
    expect(res.status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(await app.runtime.queue.list()).toEqual([]);
    expect(botComments(app, issue.number)).toEqual([]);
    // Nor for the app's own comments.
    await comment(app, issue.number, "/agent fix", { sender: app.fake.botLogin });
    expect(await app.runtime.queue.list()).toEqual([]);
  });

  it("answers an unknown verb with the help text", async () => {
    app = await startTestApp({ files: BUGGY_REPO });
    const issue = newIssue(app);
    await comment(app, issue.number, "/agent dance");
    await app.waitForJobs();
    const reply = botComments(app, issue.number).at(-1)?.body ?? "";
    expect(reply).toContain("I don't know `/agent dance`");
    expect(reply).toContain("/agent plan");
    expect(reply).toContain(".github/agent.yml");
  });

  it("opens its own PR for a fork it cannot push to, and says so", async () => {
    app = await startTestApp({
      files: BUGGY_REPO,
      turns: [
        {
          toolCalls: [
            { name: "edit", arguments: { path: "src/sum.js", old_str: "return a - b;", new_str: "return a + b;" } },
          ],
        },
        { toolCalls: [{ name: "finish", arguments: { summary: "Fixed the operator on top of the contribution." } }] },
      ],
    });
    await app.fake.addRepo({ owner: "forker", name: REPO, forkOf: `${OWNER}/${REPO}` });
    await app.fake.commit({
      owner: "forker",
      repo: REPO,
      branch: "docs",
      from: "main",
      files: { "docs.md": "# docs\n" },
    });
    const pull = await app.fake.addPullRequest({
      owner: OWNER,
      repo: REPO,
      title: "Add docs",
      user: "forker",
      head: "docs",
      headRepo: `forker/${REPO}`,
    });
    await comment(app, pull.number, "/agent fix the sum bug too", { isPullRequest: true });
    const [job] = await app.waitForJobs();
    expect(job?.kind).toBe("revise");
    expect(job?.outcome?.status).toBe("pr_opened");
    const opened = pullsOf(app).find((p) => p.number !== pull.number)!;
    expect(opened.headRepo).toBe(`${OWNER}/${REPO}`);
    expect(opened.baseRef).toBe("main");
    expect(opened.body).toContain(`#${pull.number}`);
    // It builds on the fork's work.
    expect(await app.fake.readFile(OWNER, REPO, opened.head, "docs.md")).toBe("# docs\n");
    const said = botComments(app, pull.number).at(-1)?.body ?? "";
    expect(said).toContain(`opened #${opened.number}`);
  });
});

describe("ci_fix: failed checks on the app's own PR", () => {
  it("revises the PR from a failed check's output, at most ci_fix_rounds times", async () => {
    app = await startTestApp({
      files: { ...BUGGY_REPO, ".github/agent.yml": "ci_fix: true\nci_fix_rounds: 1\n" },
      turns: [
        ...FIX_TURNS,
        (req) => {
          expect(JSON.stringify(req.messages)).toContain("lint: missing semicolon in src/sum.js");
          return {
            toolCalls: [
              {
                name: "edit",
                arguments: {
                  path: "src/sum.js",
                  old_str: "export function sum",
                  new_str: "// checked\nexport function sum",
                },
              },
            ],
          };
        },
        { toolCalls: [{ name: "finish", arguments: { summary: "Fixed what the lint check reported." } }] },
      ],
    });
    const issue = newIssue(app);
    await app.send(
      issuesEvent("labeled", app.target(), { issue: { number: issue.number, title: issue.title }, label: "agent" }),
    );
    await app.waitForJobs();
    const [pr] = pullsOf(app);
    const failed = async (id: string) => {
      const sha = (await app!.fake.branchSha(OWNER, REPO, pr!.head))!;
      return app!.send(
        checkRunEvent("completed", app!.target("github-actions[bot]"), {
          checkRun: {
            name: "lint",
            headSha: sha,
            conclusion: "failure",
            output: { title: "1 problem", summary: "lint: missing semicolon in src/sum.js" },
            pullRequests: [{ number: pr!.number, head: { ref: pr!.head, sha }, base: { ref: "main" } }],
          },
        }),
        { deliveryId: id },
      );
    };
    await failed("check-1");
    const jobs = await app.waitForJobs({ count: 2 });
    const revise = jobs.find((j) => j.kind === "revise");
    expect(revise?.outcome?.status).toBe("pr_updated");
    expect(await app.fake.readFile(OWNER, REPO, pr!.head, "src/sum.js")).toContain("// checked");
    // Rounds are capped: a second failure starts nothing.
    await failed("check-2");
    await new Promise((r) => setTimeout(r, 300));
    expect(await app.runtime.queue.list()).toHaveLength(2);
  });
});

describe("configurable triggers, retries and edits", () => {
  it("does not re-trigger when a comment is edited", async () => {
    app = await startTestApp({ files: BUGGY_REPO });
    const issue = newIssue(app);
    const res = await app.send(
      issueCommentEvent("edited", app.target(), {
        issue: { number: issue.number },
        comment: { body: "/agent fix" },
        previousBody: "hello",
      }),
    );
    expect(res.status).toBe(200);
    await new Promise((r) => setTimeout(r, 200));
    expect(await app.runtime.queue.list()).toEqual([]);
  });

  it("honours the label, command prefix and allow-list set in .github/agent.yml", async () => {
    app = await startTestApp({
      files: { ...BUGGY_REPO, ".github/agent.yml": "label: robot\ncommand: /bot\nallowed_users: [visitor]\n" },
    });
    app.fake.setPermission(OWNER, REPO, "visitor", "read");
    const issue = newIssue(app);
    await app.send(issuesEvent("labeled", app.target(), { issue: { number: issue.number }, label: "agent" }));
    await comment(app, issue.number, "/agent help");
    await new Promise((r) => setTimeout(r, 200));
    expect(await app.runtime.queue.list()).toEqual([]);
    // The allow-listed visitor may ask, with the configured prefix.
    await comment(app, issue.number, "/bot help", { sender: "visitor" });
    const [job] = await app.waitForJobs();
    expect(job?.kind).toBe("reply");
    expect(botComments(app, issue.number).at(-1)?.body).toContain("`/bot fix [what to do]`");
  });

  it("runs the last job again on /agent retry, with its words", async () => {
    const finishNoChange = { toolCalls: [{ name: "finish", arguments: { summary: "nothing" } }] };
    app = await startTestApp({
      files: { ...BUGGY_REPO, ".github/agent.yml": "budget:\n  test_rounds: 0\n" },
      turns: [finishNoChange, finishNoChange],
    });
    const issue = newIssue(app);
    await comment(app, issue.number, "/agent fix mind the sign");
    await app.waitForJobs();
    await comment(app, issue.number, "/agent retry");
    const jobs = await app.waitForJobs({ count: 2 });
    expect(jobs.map((j) => j.kind)).toEqual(["fix", "fix"]);
    expect(jobs.every((j) => j.trigger.text === "mind the sign")).toBe(true);
    expect(JSON.stringify(app.model.requests.at(-1)?.body)).toContain("mind the sign");
  });
});

// The base moved under the app's pull request: the branch is brought up to
// date by a merge (never a rebase, never a force-push), conflicts resolved by
// the agent with the tests as judge, or reported with nothing pushed.
import { afterEach, expect, it } from "vitest";
import { botComments, pullsOf, startTestApp, MAINTAINER, OWNER, REPO, type TestApp } from "../support/app.ts";
import type { Turn } from "../support/model-server.ts";
import { issueCommentEvent, issuesEvent } from "../support/webhooks.ts";
import { BUGGY_REPO, FIX_TURNS } from "./fixtures.ts";

let app: TestApp | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

/** main renames sum's parameters: the same lines the PR's fix changed. */
const CONFLICTING_BASE = { "src/sum.js": "export function sum(x, y) {\n  return x - y;\n}\n" };
const RESOLVED = "export function sum(x, y) {\n  return x + y;\n}\n";

/** The app opens its PR for the buggy repository; returns the PR and its head. */
async function openAppPull(a: TestApp) {
  const issue = a.fake.addIssue({
    owner: OWNER,
    repo: REPO,
    title: "sum() returns the wrong result",
    body: "",
    user: "reporter",
  });
  await a.send(
    issuesEvent("labeled", a.target(), { issue: { number: issue.number, title: issue.title }, label: "agent" }),
  );
  await a.waitForJobs();
  const [pr] = pullsOf(a);
  expect(pr).toBeDefined();
  return { pr: pr!, head: (await a.fake.branchSha(OWNER, REPO, pr!.head))! };
}

/** The app's PR with sum fixed, made directly (the first test opens one through a fix job). */
async function fixedAppPull(a: TestApp) {
  const branch = "agent/issue-1-sum";
  await a.fake.commit({
    owner: OWNER,
    repo: REPO,
    branch,
    files: { "src/sum.js": "export function sum(a, b) {\n  return a + b;\n}\n" },
  });
  const pr = await a.fake.addPullRequest({
    owner: OWNER,
    repo: REPO,
    title: "Fix sum",
    user: a.fake.botLogin,
    head: branch,
  });
  return { pr: { number: pr.number, head: branch }, head: (await a.fake.branchSha(OWNER, REPO, branch))! };
}

async function command(a: TestApp, number: number, body: string, isPullRequest = true) {
  const c = a.fake.addIssueComment({ owner: OWNER, repo: REPO, issueNumber: number, user: MAINTAINER, body });
  await a.send(
    issueCommentEvent("created", a.target(), { issue: { number, isPullRequest }, comment: { id: c.id, body } }),
  );
}

function lastBotComment(a: TestApp, number: number): string {
  return botComments(a, number).at(-1)?.body ?? "";
}

function pushesTo(a: TestApp, branch: string) {
  return a.fake.pushes.filter((p) => p.ref === `refs/heads/${branch}`);
}

it("resolves a conflict with the moved base in one merge commit, then revises on top of it, and says so", async () => {
  const resolve: Turn[] = [
    (req) => {
      // The conflict phase comes first, with the markers and the base's side shown as data.
      expect(req.lastMessageText).toContain("resolve the merge conflicts");
      const all = JSON.stringify(req.messages);
      expect(all).toContain("<<<<<<<");
      expect(all).toContain("return x - y;");
      expect(all).not.toContain("also document it");
      return { toolCalls: [{ name: "create", arguments: { path: "src/sum.js", content: RESOLVED, overwrite: true } }] };
    },
    { toolCalls: [{ name: "finish", arguments: { summary: "Kept main's parameter names and the branch's fix." } }] },
  ];
  const revise: Turn[] = [
    (req) => {
      // The revision runs on the merged branch.
      expect(req.lastMessageText).toContain("also document it");
      return {
        toolCalls: [
          {
            name: "edit",
            arguments: { path: "README.md", old_str: "# widgets\n", new_str: "# widgets\n\n`sum(x, y)` adds.\n" },
          },
        ],
      };
    },
    { toolCalls: [{ name: "finish", arguments: { summary: "Documented sum." } }] },
  ];
  // No setup here (three jobs' worth of npm ci): the resolution's setup on the base's tree is the next test's.
  app = await startTestApp({
    files: { ...BUGGY_REPO, ".github/agent.yml": "setup: null\n" },
    turns: [...FIX_TURNS, ...resolve, ...revise],
  });
  const { pr, head } = await openAppPull(app);
  const base = await app.fake.commit({ owner: OWNER, repo: REPO, branch: "main", files: CONFLICTING_BASE });

  await command(app, pr.number, "/agent fix also document it");
  const jobs = await app.waitForJobs({ count: 2 });
  const job = jobs.find((j) => j.kind === "revise")!;
  expect(job.outcome, JSON.stringify(job.outcome)).toMatchObject({ status: "pr_updated" });

  // Two new commits, fast-forward: the merge (branch head + main), then the revision.
  const log = await app.fake.git(OWNER, REPO, ["log", "--format=%H %P", "--first-parent", `${head}..${pr.head}`]);
  const [follow, merge] = log
    .trim()
    .split("\n")
    .map((l) => l.split(" "));
  expect(follow).toHaveLength(2);
  expect(merge).toEqual([merge![0], head, base]);
  expect(await app.fake.git(OWNER, REPO, ["show", `${merge![0]}:src/sum.js`])).toBe(RESOLVED);
  expect(await app.fake.readFile(OWNER, REPO, pr.head, "README.md")).toContain("adds");
  expect(pushesTo(app, pr.head).every((p) => !p.forced)).toBe(true);

  const reply = lastBotComment(app, pr.number);
  expect(reply).toContain(`Brought the branch up to date with \`main\` (\`${base.slice(0, 7)}\`) in merge commit`);
  expect(reply).toContain(merge![0]!.slice(0, 7));
  expect(reply).toContain("the agent resolved the conflicts in `src/sum.js`: Kept main's parameter names");
  expect(reply).toContain("Tests: `npm test` passed");
  expect(app.fake.errors).toEqual([]);
});

it("reports a conflict the agent cannot resolve with the file and its hunks, and pushes nothing", async () => {
  // The model gives up, and again in each extra round the failing tests (the markers) give it.
  const giveUp: Turn = {
    toolCalls: [
      { name: "finish", arguments: { summary: "I cannot tell which version of sum is meant; leaving the markers." } },
    ],
  };
  app = await startTestApp({ files: BUGGY_REPO, turns: [giveUp, giveUp, giveUp] });
  const { pr, head } = await fixedAppPull(app);
  await app.fake.commit({ owner: OWNER, repo: REPO, branch: "main", files: CONFLICTING_BASE });
  const pushesBefore = app.fake.pushes.length;

  await command(app, pr.number, "/agent update");
  const jobs = await app.waitForJobs({ count: 1 });
  expect(jobs.find((j) => j.kind === "update")?.outcome?.status).toBe("error");
  expect(await app.fake.branchSha(OWNER, REPO, pr.head)).toBe(head);
  expect(app.fake.pushes.slice(pushesBefore).filter((p) => p.ref === `refs/heads/${pr.head}`)).toEqual([]);

  const report = lastBotComment(app, pr.number);
  expect(report).toContain("the conflicts were not resolved");
  expect(report).toContain("conflict markers are left in `src/sum.js`");
  expect(report).toContain("**Nothing was pushed**");
  expect(report).toMatch(/\*\*`src\/sum.js`\*\* \(1 conflict\)\nlines 1–\d+:\n```+\n<<<<<<< /);
  expect(report).toContain("return a + b;");
  expect(report).toContain("return x - y;");
  expect(report).toContain("I cannot tell which version");
});

it("answers /agent update on an up-to-date pull request with 'already up to date' and pushes nothing", async () => {
  app = await startTestApp({ files: BUGGY_REPO });
  const { pr, head } = await fixedAppPull(app);
  const pushesBefore = app.fake.pushes.length;
  const asked = app.model.requests.length;

  await command(app, pr.number, "/agent update");
  const jobs = await app.waitForJobs({ count: 1 });
  expect(jobs.find((j) => j.kind === "update")?.outcome?.status).toBe("no_change");
  expect(lastBotComment(app, pr.number)).toContain("Already up to date with `main`");
  expect(app.fake.pushes.length).toBe(pushesBefore);
  expect(await app.fake.branchSha(OWNER, REPO, pr.head)).toBe(head);
  expect(app.model.requests.length).toBe(asked);
});

it("merges a base that moved without conflicts, tests it, and pushes one merge commit without asking the model", async () => {
  app = await startTestApp({ files: BUGGY_REPO });
  const { pr, head } = await fixedAppPull(app);
  const base = await app.fake.commit({
    owner: OWNER,
    repo: REPO,
    branch: "main",
    files: { "src/mul.js": "export const mul = (a, b) => a * b;\n" },
  });
  const asked = app.model.requests.length;

  await command(app, pr.number, "/agent update");
  const jobs = await app.waitForJobs({ count: 1 });
  expect(jobs.find((j) => j.kind === "update")?.outcome?.status).toBe("pr_updated");
  expect(app.model.requests.length).toBe(asked);
  const now = (await app.fake.branchSha(OWNER, REPO, pr.head))!;
  expect((await app.fake.git(OWNER, REPO, ["log", "--format=%P", "-1", now])).trim()).toBe(`${head} ${base}`);
  expect(await app.fake.readFile(OWNER, REPO, pr.head, "src/mul.js")).toContain("a * b");
  expect(pushesTo(app, pr.head).every((p) => !p.forced)).toBe(true);
  const reply = lastBotComment(app, pr.number);
  expect(reply).toContain(`Brought #${pr.number} up to date with \`main\``);
  expect(reply).toContain("git merged it without conflicts");
  expect(reply).toContain("Tests: `npm test` passed");
});

it("still pushes the merge of a base that moved cleanly when the revision itself changes nothing, and says both", async () => {
  const nothing: Turn = { toolCalls: [{ name: "finish", arguments: { summary: "The code already does that." } }] };
  app = await startTestApp({ files: BUGGY_REPO, turns: [nothing] });
  const { pr, head } = await fixedAppPull(app);
  const base = await app.fake.commit({ owner: OWNER, repo: REPO, branch: "main", files: { "docs/a.md": "a\n" } });

  await command(app, pr.number, "/agent fix make sure sum adds");
  const jobs = await app.waitForJobs({ count: 1 });
  expect(jobs.find((j) => j.kind === "revise")?.outcome?.status).toBe("no_change");
  const now = (await app.fake.branchSha(OWNER, REPO, pr.head))!;
  expect((await app.fake.git(OWNER, REPO, ["log", "--format=%P", "-1", now])).trim()).toBe(`${head} ${base}`);
  const reply = lastBotComment(app, pr.number);
  expect(reply).toContain("no change was made");
  expect(reply).toContain(`Brought the branch up to date with \`main\` (\`${base.slice(0, 7)}\`) in merge commit`);
  expect(reply).toContain("git merged it without conflicts");
});

/** A pull request of the app's on `agent/change`, made directly (no fix job): `files` committed on it. */
async function appPull(a: TestApp, files: Record<string, string>) {
  await a.fake.commit({ owner: OWNER, repo: REPO, branch: "agent/change", files });
  const pr = await a.fake.addPullRequest({
    owner: OWNER,
    repo: REPO,
    title: "Change",
    user: a.fake.botLogin,
    head: "agent/change",
  });
  return { number: pr.number, head: (await a.fake.branchSha(OWNER, REPO, "agent/change"))! };
}

it("pushes a clean merge whose tests fail when they failed on the branch before it too, and says so", async () => {
  // BUGGY_REPO's test fails on main and on the branch alike.
  app = await startTestApp({ files: BUGGY_REPO });
  const pr = await appPull(app, { "README.md": "# widgets\n\nAdds numbers, one day.\n" });
  const base = await app.fake.commit({ owner: OWNER, repo: REPO, branch: "main", files: { "docs/a.md": "a\n" } });
  await command(app, pr.number, "/agent update");
  const jobs = await app.waitForJobs({ count: 1 });
  expect(jobs[0]?.outcome?.status).toBe("pr_updated");
  const now = (await app.fake.branchSha(OWNER, REPO, "agent/change"))!;
  expect((await app.fake.git(OWNER, REPO, ["log", "--format=%P", "-1", now])).trim()).toBe(`${pr.head} ${base}`);
  const reply = lastBotComment(app, pr.number);
  expect(reply).toContain("Tests: `npm test` failed");
  expect(reply).toContain("The tests failed on the branch before the merge too");
  expect(app.model.requests).toEqual([]);
});

it("pushes nothing when a clean merge breaks tests that passed on the branch before it", async () => {
  const fixed: Record<string, string> = {
    ...BUGGY_REPO,
    "src/sum.js": "export function sum(a, b) {\n  return a + b;\n}\n",
  };
  app = await startTestApp({ files: fixed });
  // The branch renames sum to add (its tests pass); main adds a test of sum (its tests pass): together they fail.
  const pr = await appPull(app, {
    "src/sum.js": "export function add(a, b) {\n  return a + b;\n}\n",
    "test/sum.test.js": fixed["test/sum.test.js"]!.replace("{ sum }", "{ add }").replace("sum(2, 3)", "add(2, 3)"),
  });
  await app.fake.commit({
    owner: OWNER,
    repo: REPO,
    branch: "main",
    files: { "test/twice.test.js": fixed["test/sum.test.js"]!.replace("sum(2, 3), 5", "sum(2, 2), 4") },
  });
  await command(app, pr.number, "/agent update");
  const jobs = await app.waitForJobs({ count: 1 });
  expect(jobs[0]?.outcome?.status).toBe("tests_failing");
  expect(await app.fake.branchSha(OWNER, REPO, "agent/change")).toBe(pr.head);
  expect(app.fake.pushes).toEqual([]);
  const reply = lastBotComment(app, pr.number);
  expect(reply).toContain(
    "the tests fail on the result (they passed on the branch before it), so **nothing was pushed**",
  );
});

it("pushes nothing, never forcing, when a person pushes to the branch while the conflicts are being resolved", async () => {
  const personPushes = async () => {
    await app!.fake.commit({
      owner: OWNER,
      repo: REPO,
      branch: "agent/issue-1-sum",
      files: { "NOTES.md": "by a person\n" },
      message: "Notes from Maya",
      author: { name: "Maya", email: "maya@example.com" },
    });
    return { toolCalls: [{ name: "create", arguments: { path: "src/sum.js", content: RESOLVED, overwrite: true } }] };
  };
  const done: Turn = { toolCalls: [{ name: "finish", arguments: { summary: "Kept both." } }] };
  app = await startTestApp({ files: BUGGY_REPO, turns: [personPushes, done] });
  const { pr } = await fixedAppPull(app);
  await app.fake.commit({ owner: OWNER, repo: REPO, branch: "main", files: CONFLICTING_BASE });

  await command(app, pr.number, "/agent update");
  const jobs = await app.waitForJobs({ count: 1 });
  expect(jobs[0]?.outcome?.status).toBe("error");
  // The person's commit stays the branch's head: the merge made on the older head was not pushed over it.
  const now = (await app.fake.branchSha(OWNER, REPO, pr.head))!;
  expect((await app.fake.git(OWNER, REPO, ["log", "--format=%s", "-1", now])).trim()).toBe("Notes from Maya");
  expect(pushesTo(app, pr.head)).toEqual([]);
  expect(lastBotComment(app, pr.number)).toMatch(
    /someone pushed `[0-9a-f]{7}` to `agent\/issue-1-sum` while the base was being merged into it, so nothing was pushed/,
  );
});

it("answers /agent update on an issue, and on a pull request the app did not open, with why and no job", async () => {
  app = await startTestApp({ files: BUGGY_REPO });
  const issue = app.fake.addIssue({ owner: OWNER, repo: REPO, title: "Something", body: "", user: "reporter" });
  await command(app, issue.number, "/agent update", false);
  await app.fake.commit({ owner: OWNER, repo: REPO, branch: "feature", files: { "a.txt": "a\n" } });
  const theirs = await app.fake.addPullRequest({
    owner: OWNER,
    repo: REPO,
    title: "Feature",
    user: MAINTAINER,
    head: "feature",
  });
  await command(app, theirs.number, "/agent update");
  const jobs = await app.waitForJobs({ count: 2 });
  expect(jobs.map((j) => j.kind)).toEqual(["reply", "reply"]);
  expect(lastBotComment(app, issue.number)).toContain("this is an issue, so there is no branch to update");
  expect(lastBotComment(app, theirs.number)).toContain(`opened by @${MAINTAINER}, not by me`);
  expect(app.fake.pushes).toEqual([]);
});

it("trusts the base commit it merged: a base change to package.json does not cost the final test run its secrets", async () => {
  app = await startTestApp({
    files: { ...BUGGY_REPO, ".github/agent.yml": "secrets: [DEPLOY_KEY]\n" },
    env: { AGENT_SECRET_DEPLOY_KEY: "dk_0123456789abcdef0123456789abcdef" },
  });
  const { pr } = await fixedAppPull(app);
  // Test machinery changed on the base only: the stale branch differs from it there, the merged one does not.
  const pkg = JSON.parse(BUGGY_REPO["package.json"]!) as Record<string, unknown>;
  await app.fake.commit({
    owner: OWNER,
    repo: REPO,
    branch: "main",
    files: { "package.json": `${JSON.stringify({ ...pkg, description: "widgets" }, null, 2)}\n` },
  });
  await command(app, pr.number, "/agent update");
  const jobs = await app.waitForJobs({ count: 1 });
  expect(jobs.find((j) => j.kind === "update")?.outcome?.status).toBe("pr_updated");
  const reply = lastBotComment(app, pr.number);
  expect(reply).toContain("The final test run had the opted-in secrets (`DEPLOY_KEY`)");
  expect(reply).not.toContain("did not get the opted-in secrets");
});

// The app against GitHub's rules and failures, end to end through the strict
// fake: answers lost after GitHub made the object, rate limits, permissions
// the features need, and pushes GitHub refuses.
import { afterEach, describe, expect, it } from "vitest";
import { branchName } from "../../src/run/issue-context.ts";
import { botComments, MAINTAINER, OWNER, pullsOf, REPO, startTestApp, type TestApp } from "../support/app.ts";
import { issueCommentEvent, issuesEvent } from "../support/webhooks.ts";
import { edit, finish, quickRepo } from "../security-e2e/turns.ts";

let app: TestApp | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

const TITLE = "sum() returns the wrong result";
const FIX = [edit("src/sum.js", "return a - b;", "return a + b;"), finish("Fixed `sum`.")];
const WORKFLOW =
  "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npm test\n";

async function labelIssue(a: TestApp, sender = MAINTAINER) {
  const issue = a.fake.addIssue({
    owner: OWNER,
    repo: REPO,
    title: TITLE,
    body: "sum(2, 3) gives -1.",
    user: "reporter",
  });
  expect(
    (
      await a.send(
        issuesEvent("labeled", a.target(sender), {
          issue: { number: issue.number, title: issue.title, body: issue.body ?? "" },
          label: "agent",
        }),
      )
    ).status,
  ).toBe(200);
  return issue;
}

const progressComments = (a: TestApp, issue: number) =>
  botComments(a, issue).filter((c) => c.body.includes("<!-- issuesmith:job:"));

describe("GitHub's failures", () => {
  it(
    "opens one PR and keeps one progress comment when the PR's answer is lost and the comment is rate limited",
    { timeout: 120_000 },
    async () => {
      app = await startTestApp({ files: quickRepo(), turns: FIX, productionOctokit: true });
      app.fake.fault("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments", {
        kind: "secondary-rate-limit",
        seconds: 1,
      });
      app.fake.fault("POST", "/repos/{owner}/{repo}/pulls", { kind: "lost-answer" });
      const issue = await labelIssue(app);
      const [job] = await app.waitForJobs({ timeoutMs: 100_000 });
      expect(job!.outcome?.status).toBe("pr_opened");
      const pulls = pullsOf(app);
      expect(pulls).toHaveLength(1);
      expect(
        app.fake.requests.filter((r) => r.method === "POST" && r.path.endsWith("/pulls")).map((r) => r.status),
      ).toEqual([502]);
      const comments = progressComments(app, issue.number);
      expect(comments).toHaveLength(1);
      expect(comments[0]!.body).toContain(`#${pulls[0]!.number}`);
      expect(app.fake.requests.some((r) => r.injected && r.status === 403)).toBe(true);
      expect(app.fake.errors).toEqual([]);
    },
  );

  it("names branch protection when GitHub refuses the push, and keeps the work on the wip branch", async () => {
    app = await startTestApp({ files: quickRepo(), turns: FIX });
    const branch = branchName("agent/", 1, TITLE);
    app.fake.protectBranch(OWNER, REPO, branch);
    const issue = await labelIssue(app);
    expect(issue.number).toBe(1);
    const [job] = await app.waitForJobs();
    expect(job!.outcome?.status).toBe("error");
    expect(pullsOf(app)).toHaveLength(0);
    const [comment] = progressComments(app, issue.number);
    expect(comment!.body).toContain(
      "Stopped: GitHub refused the push: branch protection refuses direct pushes to this branch (GH006",
    );
    const wip = `agent/wip/${job!.id}`;
    expect(comment!.body).toContain(`The work is kept on the branch \`${wip}\``);
    expect(await app.fake.readFile(OWNER, REPO, wip, "src/sum.js")).toContain("return a + b;");
    expect(await app.fake.branchSha(OWNER, REPO, branch)).toBeNull();
  });
});

describe("a pull request someone else pushes to", () => {
  it(
    "builds the revision on a commit a person pushed meanwhile (rebased, never forced) and says so",
    { timeout: 120_000 },
    async () => {
      const personPushes = async () => {
        const [pr] = pullsOf(app!);
        await app!.fake.commit({
          owner: OWNER,
          repo: REPO,
          branch: pr!.head,
          files: { "NOTES.md": "by a person\n" },
          message: "Notes from Maya",
          author: { name: "Maya", email: "maya@example.com" },
        });
        return edit("README.md", "# widgets", "# widgets\n\nAdds numbers.");
      };
      app = await startTestApp({ files: quickRepo(), turns: [...FIX, personPushes, finish("Documented it.")] });
      await labelIssue(app);
      await app.waitForJobs();
      const [pr] = pullsOf(app);
      const body = "/agent fix document it in the README";
      const c = app.fake.addIssueComment({ owner: OWNER, repo: REPO, issueNumber: pr!.number, user: MAINTAINER, body });
      await app.send(
        issueCommentEvent("created", app.target(MAINTAINER), {
          issue: { number: pr!.number, isPullRequest: true },
          comment: { id: c.id, body },
        }),
      );
      const jobs = await app.waitForJobs({ count: 2, timeoutMs: 100_000 });
      expect(jobs.find((j) => j.kind === "revise")?.outcome?.status).toBe("pr_updated");
      const log = await app.fake.git(OWNER, REPO, ["log", "--format=%s", `main..${pr!.head}`]);
      expect(log.trim().split("\n").slice(0, 2)).toEqual([
        expect.stringMatching(/^Address review feedback on #/),
        "Notes from Maya",
      ]);
      expect(await app.fake.readFile(OWNER, REPO, pr!.head, "NOTES.md")).toBe("by a person\n");
      expect(await app.fake.readFile(OWNER, REPO, pr!.head, "README.md")).toContain("Adds numbers.");
      expect(app.fake.pushes.filter((p) => p.ref === `refs/heads/${pr!.head}`).every((p) => !p.forced)).toBe(true);
      const [comment] = progressComments(app, pr!.number);
      expect(comment!.body).toMatch(
        /Someone pushed `[0-9a-f]{7}` to the branch meanwhile; this commit was rebased onto it/,
      );
    },
  );
});

describe("permissions the features need", () => {
  const workflowTurns = [edit(".github/workflows/ci.yml", "run: npm test", "run: npm test -- --ci"), ...FIX];

  it("pushes an allowed workflow change on an installation with app.yml's permissions", async () => {
    app = await startTestApp({
      files: quickRepo({ ".github/workflows/ci.yml": WORKFLOW }, { allow_workflow_changes: true }),
      turns: workflowTurns,
    });
    await labelIssue(app);
    const [job] = await app.waitForJobs();
    expect(job!.outcome?.status).toBe("pr_opened");
    const [pr] = pullsOf(app);
    expect(await app.fake.readFile(OWNER, REPO, pr!.head, ".github/workflows/ci.yml")).toContain("npm test -- --ci");
    expect(app.fake.errors).toEqual([]);
  });

  it("refuses allow_workflow_changes at config time, naming the permission, where the installation lacks workflows", async () => {
    const { workflows: _w, ...withoutWorkflows } = (
      await import("../support/fake-github/permissions.ts")
    ).manifestPermissions();
    app = await startTestApp({
      files: quickRepo({ ".github/workflows/ci.yml": WORKFLOW }, { allow_workflow_changes: true }),
      turns: workflowTurns,
      permissions: withoutWorkflows,
    });
    const issue = await labelIssue(app);
    const [job] = await app.waitForJobs();
    expect(job!.outcome?.status).toBe("config_error");
    const [comment] = progressComments(app, issue.number);
    expect(comment!.body).toContain("allow_workflow_changes: true needs the app's `workflows: write` permission");
    expect(app.model.requests.filter((r) => r.path.endsWith("/chat/completions"))).toHaveLength(0);
    expect(app.fake.pushes).toEqual([]);
  });

  it("starts a job for a member of a team listed in allowed_users", async () => {
    app = await startTestApp({ files: quickRepo({}, { allowed_users: ["@acme/core"] }), turns: FIX });
    app.fake.addTeamMember(OWNER, "core", "tess");
    await labelIssue(app, "tess");
    const [job] = await app.waitForJobs();
    expect(job!.outcome?.status).toBe("pr_opened");
    expect(app.fake.errors).toEqual([]);
  });
});

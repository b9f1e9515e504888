// Every route of the fake answers in GitHub's documented shape: one
// successful call per implemented operation, each response checked against
// GitHub's OpenAPI response schema.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFakeGitHub, routes, type FakeGitHub } from "../support/fake-github.ts";
import { appOctokit, installationOctokit, type TestOctokitInstance } from "../support/github-client.ts";
import { appKeys } from "../support/keys.ts";

describe("fake GitHub: response shapes", () => {
  let fake: FakeGitHub;
  let octokit: TestOctokitInstance;
  let app: TestOctokitInstance;
  const owner = "acme";
  const repo = "widgets";

  beforeAll(async () => {
    const keys = await appKeys();
    fake = await createFakeGitHub({ appId: 3, publicKey: keys.publicKey, validateResponses: true });
    await fake.addRepo({ owner, name: repo, files: { "README.md": "# w\n", "src/a.js": "a\nb\nc\n" } });
    octokit = installationOctokit(fake, keys.privateKey);
    app = appOctokit(fake, keys.privateKey);
  });

  afterAll(() => fake.close());

  it("answers every implemented operation in the documented shape", async () => {
    const installation_id = fake.installationId;
    await app.rest.apps.getAuthenticated();
    await app.rest.apps.getInstallation({ installation_id });
    await app.rest.apps.getRepoInstallation({ owner, repo });
    await app.rest.apps.createInstallationAccessToken({ installation_id, repositories: [repo] });
    await octokit.rest.apps.listReposAccessibleToInstallation();

    fake.addTeamMember(owner, "core", "tess", { role: "maintainer" });
    await octokit.rest.teams.getMembershipForUserInOrg({ org: owner, team_slug: "core", username: "tess" });
    fake.setPermission(owner, repo, "alice", "admin");
    await octokit.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username: "alice" });
    await octokit.rest.repos.get({ owner, repo });
    await octokit.rest.users.getByUsername({ username: fake.botLogin });
    await octokit.rest.repos.getBranch({ owner, repo, branch: "main" });
    await octokit.rest.repos.getContent({ owner, repo, path: "src/a.js" });
    await octokit.rest.repos.getContent({ owner, repo, path: "src" });
    await octokit.rest.git.getRef({ owner, repo, ref: "heads/main" });

    const issue = fake.addIssue({ owner, repo, title: "Bug", user: "alice", labels: ["bug"] });
    const issue_number = issue.number;
    await octokit.rest.issues.get({ owner, repo, issue_number });
    await octokit.rest.issues.update({ owner, repo, issue_number, title: "Bug (confirmed)" });
    const { data: comment } = await octokit.rest.issues.createComment({ owner, repo, issue_number, body: "on it" });
    await octokit.rest.issues.getComment({ owner, repo, comment_id: comment.id });
    await octokit.rest.issues.updateComment({ owner, repo, comment_id: comment.id, body: "done" });
    await octokit.rest.issues.listComments({ owner, repo, issue_number });
    await octokit.rest.reactions.createForIssueComment({ owner, repo, comment_id: comment.id, content: "rocket" });
    await octokit.rest.reactions.listForIssueComment({ owner, repo, comment_id: comment.id });
    await octokit.rest.reactions.createForIssue({ owner, repo, issue_number, content: "eyes" });
    await octokit.rest.reactions.listForIssue({ owner, repo, issue_number });
    await octokit.rest.issues.addLabels({ owner, repo, issue_number, labels: ["agent"] });
    await octokit.rest.issues.listLabelsOnIssue({ owner, repo, issue_number });
    await octokit.rest.issues.removeLabel({ owner, repo, issue_number, name: "agent" });
    await octokit.rest.issues.deleteComment({ owner, repo, comment_id: comment.id });

    await fake.commit({ owner, repo, branch: "agent/issue-1", files: { "src/a.js": "a\nB\nc\n" } });
    const { data: pr } = await octokit.rest.pulls.create({
      owner,
      repo,
      head: "agent/issue-1",
      base: "main",
      title: "Fix",
      body: "Fixes #1",
      draft: true,
    });
    const pull_number = pr.number;
    await octokit.rest.pulls.get({ owner, repo, pull_number });
    await octokit.rest.pulls.update({ owner, repo, pull_number, title: "Fix the bug" });
    await octokit.rest.pulls.list({ owner, repo, state: "all" });
    await octokit.rest.pulls.listFiles({ owner, repo, pull_number });
    await octokit.rest.pulls.listCommits({ owner, repo, pull_number });
    await octokit.rest.repos.compareCommits({ owner, repo, base: "main", head: "agent/issue-1" });
    // "a...b" routes to compare-commits ({base}...{head}); the two-dot form reaches the basehead operation
    await octokit.rest.repos.compareCommitsWithBasehead({ owner, repo, basehead: "main..agent/issue-1" });

    const review = await fake.addReview({
      owner,
      repo,
      pullNumber: pull_number,
      user: "alice",
      state: "CHANGES_REQUESTED",
      body: "see inline",
      comments: [{ path: "src/a.js", line: 2, body: "Why uppercase?" }],
    });
    const comment_id = review.comments[0]?.id ?? 0;
    await octokit.rest.pulls.listReviews({ owner, repo, pull_number });
    await octokit.rest.pulls.listReviewComments({ owner, repo, pull_number });
    await octokit.rest.pulls.getReviewComment({ owner, repo, comment_id });
    await octokit.rest.pulls.createReplyForReviewComment({
      owner,
      repo,
      pull_number,
      comment_id,
      body: "Reverted in abc123",
    });
    await octokit.rest.pulls.createReviewComment({
      owner,
      repo,
      pull_number,
      body: "note",
      path: "src/a.js",
      line: 2,
      commit_id: pr.head.sha,
      side: "RIGHT",
    });
    await octokit.rest.reactions.createForPullRequestReviewComment({ owner, repo, comment_id, content: "+1" });

    const { data: run } = await octokit.rest.checks.create({
      owner,
      repo,
      name: "issuesmith",
      head_sha: pr.head.sha,
      status: "in_progress",
    });
    await octokit.rest.checks.update({
      owner,
      repo,
      check_run_id: run.id,
      conclusion: "failure",
      output: { title: "Tests fail", summary: "1 failing" },
    });
    await octokit.rest.checks.get({ owner, repo, check_run_id: run.id });
    await octokit.rest.checks.listForRef({ owner, repo, ref: pr.head.sha });

    await fake.commit({ owner, repo, branch: "agent/wip/job-1", files: { "src/a.js": "wip\n" } });
    const { data: wip } = await octokit.rest.git.listMatchingRefs({ owner, repo, ref: "heads/agent/wip/" });
    expect(wip.map((r) => r.ref)).toEqual(["refs/heads/agent/wip/job-1"]);
    await octokit.rest.git.deleteRef({ owner, repo, ref: "heads/agent/wip/job-1" });
    await expect(octokit.rest.git.deleteRef({ owner, repo, ref: "heads/agent/wip/job-1" })).rejects.toMatchObject({
      status: 422,
    });

    expect(fake.errors).toEqual([]);
    const answered = new Set(
      fake.requests.filter((r) => r.status !== null && r.status < 300).map((r) => r.operationId),
    );
    expect(Object.keys(routes).filter((id) => !answered.has(id))).toEqual([]);
  });

  it("shows a fork's pull request with the fork as head repository", async () => {
    await fake.addRepo({ owner: "outsider", name: repo, forkOf: `${owner}/${repo}` });
    await fake.commit({ owner: "outsider", repo, branch: "patch-1", files: { "src/a.js": "a\nb\nc\nd\n" } });
    const pull = await fake.addPullRequest({
      owner,
      repo,
      title: "Add d",
      user: "outsider",
      head: "patch-1",
      headRepo: `outsider/${repo}`,
    });
    const { data } = await octokit.rest.pulls.get({ owner, repo, pull_number: pull.number });
    expect(data.head).toMatchObject({
      ref: "patch-1",
      label: "outsider:patch-1",
      repo: { full_name: `outsider/${repo}`, fork: true },
    });
    expect(data.maintainer_can_modify).toBe(false);
    const { data: files } = await octokit.rest.pulls.listFiles({ owner, repo, pull_number: pull.number });
    expect(files.map((f) => f.filename)).toEqual(["src/a.js"]);
    expect(fake.errors).toEqual([]);
  });

  it("records an answer that strays from GitHub's schema as a response-shape error", async () => {
    const route = routes["repos/get"];
    if (!route) throw new Error("no repos/get route");
    const original = route.handle;
    route.handle = async (req, env) => {
      const result = await original(req, env);
      const { clone_url: _dropped, ...rest } = result.body as Record<string, unknown>;
      return { ...result, body: rest };
    };
    try {
      await octokit.rest.repos.get({ owner, repo });
    } finally {
      route.handle = original;
    }
    expect(fake.errors.splice(0)).toMatchObject([
      {
        kind: "response-shape",
        operationId: "repos/get",
        details: [expect.objectContaining({ params: { missingProperty: "clone_url" } })],
      },
    ]);
  });
});

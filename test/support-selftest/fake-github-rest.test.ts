import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFakeGitHub, type FakeGitHub } from "../support/fake-github.ts";
import {
  appOctokit,
  installationOctokit,
  installationToken,
  TestOctokit,
  type TestOctokitInstance,
} from "../support/github-client.ts";
import { appKeys, newAppKeys } from "../support/keys.ts";

describe("fake GitHub: REST", () => {
  let fake: FakeGitHub;
  let privateKey: string;
  let octokit: TestOctokitInstance;
  const owner = "acme";
  const repo = "widgets";

  beforeAll(async () => {
    const keys = await appKeys();
    privateKey = keys.privateKey;
    fake = await createFakeGitHub({ appId: 12, publicKey: keys.publicKey, appSlug: "smith" });
    await fake.addRepo({
      owner,
      name: repo,
      files: { "README.md": "# widgets\n", ".github/agent.yml": "test: npm test\n", "src/a.js": "1\n" },
    });
    octokit = installationOctokit(fake, privateKey);
  });

  afterAll(() => {
    if (process.env["FAKE_TIMING"]) for (const r of fake.requests) console.log(r.ms, r.method, r.path);
    return fake.close();
  });

  async function raw(method: string, path: string, body?: unknown, token?: string): Promise<Response> {
    const auth = token ?? (await installationToken(fake, privateKey));
    return fetch(`${fake.apiUrl}${path}`, {
      method,
      headers: { authorization: `token ${auth}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  it("issues installation tokens to the app's JWT and serves GET /app", async () => {
    const app = appOctokit(fake, privateKey);
    const { data } = await app.rest.apps.getAuthenticated();
    expect(data?.slug).toBe("smith");
    const { data: token } = await app.rest.apps.createInstallationAccessToken({ installation_id: fake.installationId });
    expect(token.token).toMatch(/^ghs_[A-Za-z0-9]{36}$/);
    expect(fake.tokens).toContain(token.token);
    const { data: installation } = await app.rest.apps.getRepoInstallation({ owner, repo });
    expect(installation.id).toBe(fake.installationId);
    expect(fake.errors).toEqual([]);
  });

  it("refuses a JWT signed with another key, recording it", async () => {
    const other = await newAppKeys();
    const app = new TestOctokit({ auth: { appId: fake.appId, privateKey: other.privateKey }, baseUrl: fake.apiUrl });
    await expect(app.rest.apps.getAuthenticated()).rejects.toMatchObject({ status: 401 });
    expect(fake.errors.splice(0)).toMatchObject([{ kind: "auth", message: expect.stringMatching(/signature/) }]);
  });

  it("rejects an invalid body with 422 and records it (POST /pulls without head)", async () => {
    const res = await raw("POST", `/repos/${owner}/${repo}/pulls`, { title: "x", base: "main" });
    expect(res.status).toBe(422);
    expect(fake.errors.splice(0)).toMatchObject([
      { kind: "invalid-request", operationId: "pulls/create", message: expect.stringMatching(/head/) },
    ]);
    expect(fake.state.pulls).toHaveLength(0);
  });

  it("answers 404 to a path GitHub does not have, and 501 to one the fake does not implement", async () => {
    expect((await raw("GET", `/repos/${owner}/${repo}/no-such-thing`)).status).toBe(404);
    expect((await raw("GET", `/repos/${owner}/${repo}/releases`)).status).toBe(501);
    expect(fake.errors.splice(0).map((e) => e.kind)).toEqual(["unknown-path", "not-implemented"]);
  });

  it("serves the repository with a clone_url on the fake's host", async () => {
    const { data } = await octokit.rest.repos.get({ owner, repo });
    expect(data.clone_url).toBe(`${fake.url}/${owner}/${repo}.git`);
    expect(data.default_branch).toBe("main");
  });

  it("serves file contents raw (as Probot's config plugin asks) and as JSON, and 404 when missing", async () => {
    const { data: rawText } = await octokit.request("GET /repos/{owner}/{repo}/contents/{path}", {
      owner,
      repo,
      path: ".github/agent.yml",
      mediaType: { format: "raw" },
    });
    expect(rawText).toBe("test: npm test\n");
    const { data: file } = await octokit.rest.repos.getContent({ owner, repo, path: "src/a.js" });
    expect(!Array.isArray(file) && file.type === "file" && Buffer.from(file.content, "base64").toString()).toBe("1\n");
    await expect(octokit.rest.repos.getContent({ owner, repo, path: ".github/missing.yml" })).rejects.toMatchObject({
      status: 404,
    });
    expect(fake.errors).toEqual([]);
  });

  it("reads a repository config through Probot's config plugin, falling back to the org's .github repo", async () => {
    const { config } = await octokit.config.get({ owner, repo, path: ".github/agent.yml" });
    expect(config).toEqual({ test: "npm test" });
    await fake.addRepo({ owner, name: ".github", files: { ".github/other.yml": "from: org\n" } });
    const { config: fallback } = await octokit.config.get({ owner, repo, path: ".github/other.yml" });
    expect(fallback).toEqual({ from: "org" });
  });

  it("round-trips comments, reactions and labels as the app's bot", async () => {
    const issue = fake.addIssue({ owner, repo, title: "Subtraction instead of addition", user: "alice" });
    const { data: comment } = await octokit.rest.issues.createComment({
      owner,
      repo,
      issue_number: issue.number,
      body: "Working on it",
    });
    expect(comment.user?.login).toBe("smith[bot]");
    await octokit.rest.issues.updateComment({ owner, repo, comment_id: comment.id, body: "Done" });
    const first = await octokit.rest.reactions.createForIssue({
      owner,
      repo,
      issue_number: issue.number,
      content: "eyes",
    });
    const again = await octokit.rest.reactions.createForIssue({
      owner,
      repo,
      issue_number: issue.number,
      content: "eyes",
    });
    expect([first.status, again.status]).toEqual([201, 200]);
    await octokit.rest.issues.addLabels({ owner, repo, issue_number: issue.number, labels: ["agent"] });
    await octokit.rest.issues.removeLabel({ owner, repo, issue_number: issue.number, name: "agent" });
    await expect(
      octokit.rest.issues.removeLabel({ owner, repo, issue_number: issue.number, name: "agent" }),
    ).rejects.toMatchObject({ status: 404 });
    expect(fake.state.issueComments.find((c) => c.id === comment.id)?.body).toBe("Done");
    expect(fake.state.reactions).toMatchObject([
      { content: "eyes", user: "smith[bot]", subject: { kind: "issue", number: issue.number } },
    ]);
    expect(fake.errors).toEqual([]);
  });

  it("pages long lists with a Link header that octokit.paginate follows", async () => {
    const issue = fake.addIssue({ owner, repo, title: "chatty" });
    for (let i = 0; i < 35; i++)
      fake.addIssueComment({ owner, repo, issueNumber: issue.number, user: "bob", body: `c${i}` });
    const firstPage = await octokit.rest.issues.listComments({ owner, repo, issue_number: issue.number, per_page: 10 });
    expect(firstPage.data).toHaveLength(10);
    expect(firstPage.headers.link).toMatch(/rel="next"/);
    const all = await octokit.paginate(octokit.rest.issues.listComments, {
      owner,
      repo,
      issue_number: issue.number,
      per_page: 10,
    });
    expect(all.map((c) => c.body)).toEqual(Array.from({ length: 35 }, (_, i) => `c${i}`));
  });

  it("answers collaborator permission and team membership", async () => {
    fake.setPermission(owner, repo, "maintainer-mia", "maintain");
    const { data: mia } = await octokit.rest.repos.getCollaboratorPermissionLevel({
      owner,
      repo,
      username: "maintainer-mia",
    });
    expect([mia.permission, mia.role_name]).toEqual(["write", "maintain"]);
    const { data: stranger } = await octokit.rest.repos.getCollaboratorPermissionLevel({
      owner,
      repo,
      username: "stranger",
    });
    expect(stranger.permission).toBe("read");
    fake.addTeamMember(owner, "core", "tess");
    expect(
      (await octokit.rest.teams.getMembershipForUserInOrg({ org: owner, team_slug: "core", username: "tess" })).data
        .state,
    ).toBe("active");
    await expect(
      octokit.rest.teams.getMembershipForUserInOrg({ org: owner, team_slug: "core", username: "nobody" }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it("opens a pull request from a pushed branch, refusing a missing branch and an empty one with 422", async () => {
    await expect(
      octokit.rest.pulls.create({ owner, repo, title: "x", head: "nope", base: "main" }),
    ).rejects.toMatchObject({ status: 422 });
    await fake.git(owner, repo, ["branch", "-f", "same-as-main", "main"]);
    await expect(
      octokit.rest.pulls.create({ owner, repo, title: "x", head: "same-as-main", base: "main" }),
    ).rejects.toMatchObject({
      status: 422,
      response: {
        data: { errors: [expect.objectContaining({ message: "No commits between main and same-as-main" })] },
      },
    });
    await fake.commit({ owner, repo, branch: "agent/issue-1-fix", files: { "src/a.js": "2\n", "src/b.js": "new\n" } });
    const { data: pr } = await octokit.rest.pulls.create({
      owner,
      repo,
      title: "Fix",
      head: "agent/issue-1-fix",
      base: "main",
      body: "Fixes #1",
      draft: true,
    });
    expect(pr).toMatchObject({
      draft: true,
      state: "open",
      head: { ref: "agent/issue-1-fix" },
      base: { ref: "main" },
      commits: 1,
      changed_files: 2,
      additions: 2,
      deletions: 1,
    });
    expect(pr.node_id).toMatch(/^PR_/);
    await expect(
      octokit.rest.pulls.create({ owner, repo, title: "Again", head: "agent/issue-1-fix", base: "main" }),
    ).rejects.toMatchObject({ status: 422 });
    const { data: found } = await octokit.rest.pulls.list({
      owner,
      repo,
      head: `${owner}:agent/issue-1-fix`,
      state: "open",
    });
    expect(found.map((p) => p.number)).toEqual([pr.number]);
    const { data: files } = await octokit.rest.pulls.listFiles({ owner, repo, pull_number: pr.number });
    expect(files.map((f) => [f.filename, f.status])).toEqual([
      ["src/a.js", "modified"],
      ["src/b.js", "added"],
    ]);
    expect(files[0]?.patch).toBe("@@ -1 +1 @@\n-1\n+2");
    const { data: commits } = await octokit.rest.pulls.listCommits({ owner, repo, pull_number: pr.number });
    expect(commits).toHaveLength(1);
    const { data: issueView } = await octokit.rest.issues.get({ owner, repo, issue_number: pr.number });
    expect(issueView.pull_request?.html_url).toBe(`${fake.url}/${owner}/${repo}/pull/${pr.number}`);
    await octokit.rest.pulls.update({ owner, repo, pull_number: pr.number, body: "Fixes #1\n\nupdated" });
    expect(fake.state.issue(`${owner}/${repo}`, pr.number)?.body).toContain("updated");
    const { data: cmp } = await octokit.rest.repos.compareCommitsWithBasehead({
      owner,
      repo,
      basehead: "main...agent/issue-1-fix",
    });
    expect([cmp.status, cmp.ahead_by, cmp.files?.length]).toEqual(["ahead", 1, 2]);
    const { data: ref } = await octokit.rest.git.getRef({ owner, repo, ref: "heads/agent/issue-1-fix" });
    expect(ref.object.sha).toBe(await fake.branchSha(owner, repo, "agent/issue-1-fix"));
    expect(fake.errors).toEqual([]);
  });

  it("records check runs and lists them for a ref", async () => {
    const sha = (await fake.branchSha(owner, repo, "agent/issue-1-fix")) ?? "";
    const { data: run } = await octokit.rest.checks.create({
      owner,
      repo,
      name: "issuesmith",
      head_sha: sha,
      status: "in_progress",
      output: { title: "Working", summary: "step 1" },
    });
    // GitHub's schema itself says a completed run needs a conclusion
    await expect(
      octokit.rest.checks.update({ owner, repo, check_run_id: run.id, status: "completed" }),
    ).rejects.toMatchObject({ status: 422 });
    expect(fake.errors.splice(0)).toMatchObject([{ kind: "invalid-request", operationId: "checks/update" }]);
    await octokit.rest.checks.update({
      owner,
      repo,
      check_run_id: run.id,
      conclusion: "success",
      output: { title: "Done", summary: "tests pass" },
    });
    const { data: list } = await octokit.rest.checks.listForRef({ owner, repo, ref: "agent/issue-1-fix" });
    expect(list.check_runs.map((r) => [r.name, r.status, r.conclusion, r.output.title])).toEqual([
      ["issuesmith", "completed", "success", "Done"],
    ]);
    expect(list.check_runs[0]?.pull_requests).toHaveLength(1);
    expect(fake.errors).toEqual([]);
  });

  it("refuses check runs as GitHub does: a commit the repo lacks, a completed_at without conclusion, another app's run", async () => {
    const sha = (await fake.branchSha(owner, repo, "main")) ?? "";
    const create = (extra: Record<string, unknown>) =>
      raw("POST", `/repos/${owner}/${repo}/check-runs`, { name: "issuesmith", head_sha: sha, ...extra });
    expect((await create({ head_sha: "0".repeat(40) })).status).toBe(422);
    expect((await create({ completed_at: "2026-01-01T00:00:00Z" })).status).toBe(422);
    expect((await create({ status: "completed" })).status).toBe(422);
    // GitHub's own limit on output.summary, from its description
    const long = await create({ output: { title: "t", summary: "x".repeat(65_536) } });
    expect(long.status).toBe(422);
    expect(fake.errors.splice(0)).toMatchObject([{ kind: "invalid-request", operationId: "checks/create" }]);
    const ci = fake.addCheckRun({ owner, repo, sha, name: "ci", appId: 15368, conclusion: "failure" });
    const res = await raw("PATCH", `/repos/${owner}/${repo}/check-runs/${ci.id}`, { conclusion: "success" });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({
      message: expect.stringContaining("can only be modified by the GitHub App"),
    });
    expect(ci.conclusion).toBe("failure");
    const ours = await octokit.rest.checks.listForRef({ owner, repo, ref: sha, app_id: fake.appId });
    expect(ours.data.check_runs.map((r) => r.name)).toEqual([]);
    const all = await octokit.rest.checks.listForRef({ owner, repo, ref: sha });
    expect(all.data.check_runs.map((r) => r.name)).toEqual(["ci"]);
    expect(fake.errors).toEqual([]);
  });

  it("injects failures for retry tests, then answers normally", async () => {
    fake.failNext("GET", "/repos/{owner}/{repo}", 502, 2);
    await expect(octokit.rest.repos.get({ owner, repo })).rejects.toMatchObject({ status: 502 });
    await expect(octokit.rest.repos.get({ owner, repo })).rejects.toMatchObject({ status: 502 });
    expect((await octokit.rest.repos.get({ owner, repo })).status).toBe(200);
    fake.failNext("POST", /\/comments$/, 429, 1, { retryAfter: 3 });
    const res = await raw("POST", `/repos/${owner}/${repo}/issues/1/comments`, { body: "x" });
    expect([res.status, res.headers.get("retry-after")]).toEqual([429, "3"]);
    expect(fake.requests.filter((r) => r.injected)).toHaveLength(3);
    expect(fake.errors).toEqual([]);
  });

  it("answers 401 to an unknown token and records every request with its headers", async () => {
    const res = await raw("GET", `/repos/${owner}/${repo}`, undefined, "ghs_unknown");
    expect(res.status).toBe(401);
    expect(fake.errors.splice(0)).toMatchObject([{ kind: "auth", message: expect.stringMatching(/unknown token/) }]);
    expect(fake.requests.at(-1)).toMatchObject({
      method: "GET",
      path: `/api/v3/repos/${owner}/${repo}`,
      status: 401,
      headers: { authorization: "token ghs_unknown" },
    });
  });
});

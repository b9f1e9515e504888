import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { readFileSync } from "node:fs";
import { createFakeGitHub, routes, type FakeGitHub } from "../support/fake-github.ts";
import { REST_NEEDS } from "../support/fake-github/permissions.ts";
import { appOctokit, gitTokenEnv, installationOctokit } from "../support/github-client.ts";
import { appKeys } from "../support/keys.ts";
import { runGit } from "../support/tmp-repo.ts";

const owner = "acme";
const repo = "widgets";

describe("fake GitHub: as strict as GitHub about permissions", () => {
  let fake: FakeGitHub;
  let privateKey: string;
  let work: string;

  beforeAll(async () => {
    const keys = await appKeys();
    privateKey = keys.privateKey;
    fake = await createFakeGitHub({ appId: 31, publicKey: keys.publicKey });
    await fake.addRepo({ owner, name: repo, files: { "README.md": "# widgets\n" } });
    fake.addIssue({ owner, repo, title: "Bug" });
    work = await mkdtemp(join(tmpdir(), "fake-strict-"));
  });

  afterAll(async () => {
    await fake.close();
    await rm(work, { recursive: true, force: true });
  });

  async function token(permissions?: Record<string, string>): Promise<string> {
    const { data } = await appOctokit(fake, privateKey).request(
      "POST /app/installations/{installation_id}/access_tokens",
      { installation_id: fake.installationId, ...(permissions ? { permissions } : {}) },
    );
    return data.token;
  }

  async function rest(method: string, path: string, auth: string, body?: unknown): Promise<Response> {
    return fetch(`${fake.apiUrl}${path}`, {
      method,
      headers: { authorization: `token ${auth}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  it("grants the installation exactly the permissions app.yml asks for", async () => {
    const manifest = parse(readFileSync(new URL("../../app.yml", import.meta.url), "utf8")) as {
      default_permissions: Record<string, string>;
    };
    const { data } = await appOctokit(fake, privateKey).request(
      "POST /app/installations/{installation_id}/access_tokens",
      { installation_id: fake.installationId },
    );
    expect(data.permissions).toEqual(manifest.default_permissions);
  });

  it("knows the documented permission of every route it serves to installations", () => {
    const served = Object.entries(routes)
      .filter(([, r]) => r.auth === "installation")
      .map(([id]) => id);
    expect(served.filter((id) => !(id in REST_NEEDS))).toEqual([]);
  });

  it("answers 403 'Resource not accessible by integration' to a token narrowed below what a route needs", async () => {
    const readOnly = await token({ issues: "read", metadata: "read" });
    const res = await rest("POST", `/repos/${owner}/${repo}/issues/1/comments`, readOnly, { body: "hello" });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ message: "Resource not accessible by integration" });
    expect(res.headers.get("x-accepted-github-permissions")).toBe("issues=write; pull_requests=write");
    expect((await rest("GET", `/repos/${owner}/${repo}/issues/1`, readOnly)).status).toBe(200);
    expect(fake.state.issueComments).toHaveLength(0);
    expect(fake.errors.splice(0)).toMatchObject([
      { kind: "permission", status: 403, operationId: "issues/create-comment" },
    ]);
  });

  it("lets only a token with checks write create a check run, and checks read list them", async () => {
    const sha = (await fake.branchSha(owner, repo, "main")) ?? "";
    const body = { name: "issuesmith", head_sha: sha, status: "in_progress" };
    const readOnly = await token({ checks: "read", metadata: "read" });
    expect((await rest("POST", `/repos/${owner}/${repo}/check-runs`, readOnly, body)).status).toBe(403);
    expect((await rest("GET", `/repos/${owner}/${repo}/commits/${sha}/check-runs`, readOnly)).status).toBe(200);
    const none = await token({ contents: "write", metadata: "read" });
    expect((await rest("GET", `/repos/${owner}/${repo}/commits/${sha}/check-runs`, none)).status).toBe(403);
    const made = await rest("POST", `/repos/${owner}/${repo}/check-runs`, await token(), body);
    expect(made.status).toBe(201);
    expect(fake.errors.splice(0)).toMatchObject([
      { kind: "permission", operationId: "checks/create" },
      { kind: "permission", operationId: "checks/list-for-ref" },
    ]);
  });

  it("refuses to narrow a token to more than the installation holds (422)", async () => {
    const res = await appOctokit(fake, privateKey)
      .request("POST /app/installations/{installation_id}/access_tokens", {
        installation_id: fake.installationId,
        permissions: { administration: "write" },
      })
      .catch((err: unknown) => err);
    expect(res).toMatchObject({
      status: 422,
      message: expect.stringContaining("The permissions requested are not granted to this installation."),
    });
  });

  it("checks team membership only with the organization's members permission", async () => {
    fake.addTeamMember(owner, "core", "tess");
    const withMembers = await token();
    expect((await rest("GET", `/orgs/${owner}/teams/core/memberships/tess`, withMembers)).status).toBe(200);
    const without = await token({ issues: "write", metadata: "read" });
    expect((await rest("GET", `/orgs/${owner}/teams/core/memberships/tess`, without)).status).toBe(403);
    expect(fake.errors.splice(0)).toMatchObject([
      { kind: "permission", operationId: "teams/get-membership-for-user-in-org" },
    ]);
  });

  it("answers GraphQL with FORBIDDEN when the token lacks pull_requests", async () => {
    const issuesOnly = await token({ issues: "write" });
    const res = await fetch(fake.graphqlUrl, {
      method: "POST",
      headers: { authorization: `bearer ${issuesOnly}`, "content-type": "application/json" },
      body: JSON.stringify({ query: 'query { repository(owner: "acme", name: "widgets") { id } }' }),
    });
    expect(await res.json()).toMatchObject({
      data: null,
      errors: [{ type: "FORBIDDEN", message: "Resource not accessible by integration" }],
    });
    expect(fake.errors.splice(0)).toMatchObject([{ kind: "permission" }]);
  });

  describe("pushes", () => {
    let dir: string;
    beforeAll(async () => {
      dir = join(work, "clone");
      await runGit(work, ["clone", "--quiet", `${fake.url}/${owner}/${repo}.git`, "clone"], gitTokenEnv(await token()));
    });

    async function commitWorkflow(branch: string): Promise<void> {
      await runGit(dir, ["checkout", "--quiet", "-B", branch, "origin/main"]);
      await mkdir(join(dir, ".github/workflows"), { recursive: true });
      await writeFile(join(dir, ".github/workflows/ci.yml"), `on: push # ${branch}\n`);
      await runGit(dir, ["add", "-A"]);
      await runGit(dir, ["commit", "--quiet", "-m", "Add CI"]);
    }

    it("refuses a workflow change without `workflows` with GitHub's message, and takes it with workflows: write", async () => {
      await commitWorkflow("agent/ci");
      const noWorkflows = await token({ contents: "write", metadata: "read" });
      await expect(runGit(dir, ["push", "--quiet", "origin", "agent/ci"], gitTokenEnv(noWorkflows))).rejects.toThrow(
        "refusing to allow a GitHub App to create or update workflow `.github/workflows/ci.yml` without `workflows` permission",
      );
      expect(await fake.branchSha(owner, repo, "agent/ci")).toBeNull();
      await runGit(
        dir,
        ["push", "--quiet", "origin", "agent/ci"],
        gitTokenEnv(await token({ contents: "write", workflows: "write" })),
      );
      expect(await fake.readFile(owner, repo, "agent/ci", ".github/workflows/ci.yml")).toContain("agent/ci");
    });

    it("refuses a direct push to a protected branch (GH006) and any push a pre-receive hook declines", async () => {
      await runGit(dir, ["checkout", "--quiet", "-B", "main", "origin/main"]);
      await writeFile(join(dir, "README.md"), "# changed\n");
      await runGit(dir, ["commit", "--quiet", "-am", "Change"]);
      fake.protectBranch(owner, repo, "main");
      await expect(runGit(dir, ["push", "--quiet", "origin", "main"], gitTokenEnv(await token()))).rejects.toThrow(
        /GH006: Protected branch update failed for refs\/heads\/main/,
      );
      fake.refusePushes(owner, repo, "Pushes are frozen for the release");
      await expect(
        runGit(dir, ["push", "--quiet", "origin", "HEAD:refs/heads/other"], gitTokenEnv(await token())),
      ).rejects.toThrow(/Pushes are frozen for the release/);
      fake.refusePushes(owner, repo, null);
      await runGit(dir, ["push", "--quiet", "origin", "HEAD:refs/heads/other"], gitTokenEnv(await token()));
    });
  });
});

describe("fake GitHub: GitHub's failures", () => {
  let fake: FakeGitHub;
  let privateKey: string;

  beforeAll(async () => {
    const keys = await appKeys();
    privateKey = keys.privateKey;
    fake = await createFakeGitHub({ appId: 32, publicKey: keys.publicKey });
    await fake.addRepo({ owner, name: repo });
    fake.addIssue({ owner, repo, title: "Bug" });
  });

  afterAll(() => fake.close());

  it("makes the object, then loses the answer (502)", async () => {
    const octokit = installationOctokit(fake, privateKey);
    fake.fault("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments", { kind: "lost-answer" });
    await expect(
      octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", {
        owner,
        repo,
        issue_number: 1,
        body: "once",
      }),
    ).rejects.toMatchObject({ status: 502 });
    expect(fake.state.issueComments.map((c) => c.body)).toEqual(["once"]);
  });

  it("answers a primary rate limit with x-ratelimit-remaining 0 and the reset time, and a secondary one with retry-after", async () => {
    const octokit = installationOctokit(fake, privateKey);
    fake.fault("GET", "/repos/{owner}/{repo}", { kind: "primary-rate-limit", seconds: 30 });
    const primary = (await octokit.request("GET /repos/{owner}/{repo}", { owner, repo }).catch((e: unknown) => e)) as {
      status: number;
      response: { headers: Record<string, string> };
      message: string;
    };
    expect(primary.status).toBe(403);
    expect(primary.message).toMatch(/API rate limit exceeded/);
    expect(primary.response.headers["x-ratelimit-remaining"]).toBe("0");
    expect(Number(primary.response.headers["x-ratelimit-reset"]) - Date.now() / 1000).toBeGreaterThan(25);
    fake.fault("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments", {
      kind: "secondary-rate-limit",
      seconds: 7,
    });
    const secondary = (await octokit
      .request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { owner, repo, issue_number: 1, body: "x" })
      .catch((e: unknown) => e)) as { status: number; response: { headers: Record<string, string> }; message: string };
    expect([secondary.status, secondary.response.headers["retry-after"]]).toEqual([403, "7"]);
    expect(secondary.message).toMatch(/secondary rate limit/);
    expect(fake.state.issueComments.map((c) => c.body)).not.toContain("x");
    expect(fake.errors).toEqual([]);
  });
});

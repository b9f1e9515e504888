import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFakeGitHub, type FakeGitHub } from "../support/fake-github.ts";
import { gitTokenEnv, installationOctokit, installationToken } from "../support/github-client.ts";
import { appKeys } from "../support/keys.ts";
import { isolatedGitEnv, runGit } from "../support/tmp-repo.ts";

describe("fake GitHub: git over smart HTTP", () => {
  let fake: FakeGitHub;
  let privateKey: string;
  let work: string;
  let cloneUrl: string;

  beforeAll(async () => {
    const keys = await appKeys();
    privateKey = keys.privateKey;
    fake = await createFakeGitHub({ appId: 7, publicKey: keys.publicKey });
    await fake.addRepo({
      owner: "acme",
      name: "widgets",
      files: { "README.md": "# widgets\n", "src/add.js": "module.exports = (a, b) => a - b;\n" },
    });
    await fake.addRepo({ owner: "acme", name: "secret", private: true, installation: false });
    cloneUrl = `${fake.url}/acme/widgets.git`;
    work = await mkdtemp(join(tmpdir(), "fake-git-test-"));
  });

  afterAll(async () => {
    await fake.close();
    await rm(work, { recursive: true, force: true });
  });

  it("clones with the installation token as HTTP Basic x-access-token", async () => {
    const token = await installationToken(fake, privateKey);
    await runGit(work, ["clone", "--quiet", cloneUrl, "with-token"], gitTokenEnv(token));
    expect(await readFile(join(work, "with-token", "src/add.js"), "utf8")).toContain("a - b");
    expect(
      fake.gitRequests.filter((r) => r.service === "git-upload-pack").map((r) => [r.phase, r.user, r.status]),
    ).toContainEqual(["rpc", "issuesmith-test[bot]", 200]);
    // the token travelled in a header, never in the remote URL
    expect(await readFile(join(work, "with-token", ".git", "config"), "utf8")).not.toContain(token);
  });

  it("accepts the token as a Bearer header too", async () => {
    const token = await installationToken(fake, privateKey);
    const env = {
      ...isolatedGitEnv,
      GIT_CONFIG_COUNT: "1",
      GIT_CONFIG_KEY_0: "http.extraHeader",
      GIT_CONFIG_VALUE_0: `Authorization: Bearer ${token}`,
    };
    await runGit(work, ["ls-remote", cloneUrl], env);
  });

  it("answers 401 without a token, and records a wrong token as an error", async () => {
    await expect(runGit(work, ["clone", "--quiet", cloneUrl, "anonymous"])).rejects.toThrow(
      /401|Authentication failed|could not read Username/i,
    );
    const before = fake.errors.length;
    await expect(
      runGit(work, ["clone", "--quiet", cloneUrl, "wrong"], gitTokenEnv("ghs_notatokenthisfakeissued")),
    ).rejects.toThrow();
    expect(fake.errors.slice(before).map((e) => e.kind)).toContain("git-auth");
    expect(fake.gitRequests.some((r) => r.status === 401 && r.user === null)).toBe(true);
    fake.errors.length = before;
  });

  it("refuses an expired token", async () => {
    const token = await installationToken(fake, privateKey);
    fake.expireTokens();
    await expect(runGit(work, ["ls-remote", cloneUrl], gitTokenEnv(token))).rejects.toThrow();
    expect(fake.errors.at(-1)?.message).toMatch(/expired/);
    fake.errors.length = 0;
  });

  it("hides a private repository the installation does not cover", async () => {
    const token = await installationToken(fake, privateKey);
    await expect(runGit(work, ["ls-remote", `${fake.url}/acme/secret.git`], gitTokenEnv(token))).rejects.toThrow(
      /not found|404/i,
    );
  });

  it("takes a push that creates a branch, which the REST API then shows", async () => {
    const token = await installationToken(fake, privateKey);
    const dir = join(work, "pusher");
    await runGit(work, ["clone", "--quiet", cloneUrl, "pusher"], gitTokenEnv(token));
    await runGit(dir, ["checkout", "--quiet", "-b", "agent/issue-1-fix-add"]);
    await writeFile(join(dir, "src/add.js"), "module.exports = (a, b) => a + b;\n");
    await runGit(dir, ["commit", "--quiet", "-am", "Fix add"]);
    await runGit(dir, ["push", "--quiet", "origin", "agent/issue-1-fix-add"], gitTokenEnv(token));

    const sha = (await runGit(dir, ["rev-parse", "HEAD"])).trim();
    expect(fake.pushes).toContainEqual({
      repo: "acme/widgets",
      ref: "refs/heads/agent/issue-1-fix-add",
      before: null,
      after: sha,
      forced: false,
      user: "issuesmith-test[bot]",
    });
    const octokit = installationOctokit(fake, privateKey);
    const { data: branch } = await octokit.rest.repos.getBranch({
      owner: "acme",
      repo: "widgets",
      branch: "agent/issue-1-fix-add",
    });
    expect(branch.commit.sha).toBe(sha);
    expect(await fake.readFile("acme", "widgets", "agent/issue-1-fix-add", "src/add.js")).toContain("a + b");
    expect(fake.errors).toEqual([]);
  });

  it("marks a push that rewrites history as forced", async () => {
    const token = await installationToken(fake, privateKey);
    const dir = join(work, "pusher");
    await runGit(dir, ["commit", "--quiet", "--amend", "-m", "Fix add (amended)"]);
    await runGit(dir, ["push", "--quiet", "--force", "origin", "agent/issue-1-fix-add"], gitTokenEnv(token));
    expect(fake.pushes.at(-1)).toMatchObject({ ref: "refs/heads/agent/issue-1-fix-add", forced: true });
  });

  it("refuses a push to a repository outside the installation with 403", async () => {
    await fake.addRepo({ owner: "someone", name: "public-fork", forkOf: "acme/widgets" });
    const token = await installationToken(fake, privateKey);
    const dir = join(work, "pusher");
    await expect(
      runGit(dir, ["push", "--quiet", `${fake.url}/someone/public-fork.git`, "HEAD:refs/heads/x"], gitTokenEnv(token)),
    ).rejects.toThrow(/403|denied/i);
    expect(fake.gitRequests.at(-1)).toMatchObject({
      repo: "someone/public-fork",
      service: "git-receive-pack",
      status: 403,
    });
  });
});

describe("fake GitHub: gzip request bodies", () => {
  it("serves a fetch whose request body git sent gzip-compressed", async () => {
    const keys = await appKeys();
    const fake = await createFakeGitHub({ appId: 7, publicKey: keys.publicKey });
    const work = await mkdtemp(join(tmpdir(), "fake-git-gzip-"));
    try {
      // many distinct tips make the protocol v0 want-list large enough for git to gzip it
      const commits = Array.from({ length: 120 }, (_, i) => ({ message: `c${i}`, files: { [`f${i}.txt`]: `${i}\n` } }));
      const repo = await fake.addRepo({ owner: "acme", name: "many", commits });
      const shas = (await fake.git("acme", "many", ["rev-list", "main"])).trim().split("\n");
      await writeFile(join(repo.gitDir, "packed-refs"), shas.map((sha, i) => `${sha} refs/heads/b${i}\n`).join(""));
      const token = await installationToken(fake, keys.privateKey);
      await runGit(
        work,
        ["-c", "protocol.version=0", "clone", "--quiet", "--mirror", `${fake.url}/acme/many.git`, "mirror"],
        gitTokenEnv(token),
      );
      const gzipped = fake.requests.filter((r) => r.kind === "git" && r.headers["content-encoding"] === "gzip");
      expect(gzipped.length).toBeGreaterThan(0);
      expect((await runGit(join(work, "mirror"), ["branch", "--list"])).split("\n").filter(Boolean)).toHaveLength(
        shas.length + 1,
      );
      expect(fake.errors).toEqual([]);
    } finally {
      await fake.close();
      await rm(work, { recursive: true, force: true });
    }
  });
});

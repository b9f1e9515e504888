// Spare workspaces against a real git smart-HTTP server: one is made in the
// background from the mirror, a later job takes it and gets the remote's new
// commits, two jobs at once never both get it, another installation never
// does, a spare that is not exactly the branch's tip is dropped, and the
// dependency tree staged beside it is moved into place, not copied.
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pino from "pino";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DepCache } from "../../src/workspace/cache/deps.ts";
import { MirrorCache } from "../../src/workspace/cache/mirror.ts";
import { SpareWorkspaces, type SpareRequest } from "../../src/workspace/cache/spare.ts";
import type { Workspace } from "../../src/workspace/types.ts";
import { startGitHttp, type GitHttpServer } from "../support/git-http.ts";
import { runGit, tmpRepo, type TmpRepo } from "../support/tmp-repo.ts";

const TOKEN = "ghs_installationAtoken000000000000000000";
const log = pino({ level: "silent" });
const KEY = { host: "github.example", installationId: 1, repositoryId: 42 };

let root: string;
let server: GitHttpServer;
let source: TmpRepo;
let cacheDir: string;
let work: string;
let spares: SpareWorkspaces;
let mirrors: MirrorCache;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "spare-remote-"));
  server = await startGitHttp(root);
});
afterAll(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});
beforeEach(async () => {
  source = await tmpRepo({
    files: { "README.md": "one\n", ".gitignore": "node_modules/\n", "package-lock.json": '{"lockfileVersion":3}\n' },
  });
  await runGit(root, ["clone", "--quiet", "--bare", source.dir, path.join(root, "acme/app.git")]);
  server.tokens.set("acme/app.git", new Set([TOKEN]));
  cacheDir = await mkdtemp(path.join(tmpdir(), "spare-cache-"));
  work = await mkdtemp(path.join(tmpdir(), "spare-work-"));
  spares = new SpareWorkspaces({ dir: cacheDir, maxBytes: 1024 ** 3, log, staleMs: 3_000 });
  mirrors = new MirrorCache({ dir: cacheDir, maxBytes: 1024 ** 3, log, staleMs: 3_000 });
});
afterEach(async () => {
  await spares.close();
  await source.cleanup();
  await rm(path.join(root, "acme"), { recursive: true, force: true });
  await rm(cacheDir, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
});

const request = (over: Partial<SpareRequest> = {}): SpareRequest => ({
  key: KEY,
  cloneUrl: `${server.url}/acme/app.git`,
  branch: "main",
  token: () => Promise.resolve(TOKEN),
  shareObjects: false,
  ...over,
});
let n = 0;
async function workspace(): Promise<Workspace> {
  const ws = path.join(work, `job-${n++}`);
  await mkdir(path.join(ws, "home"), { recursive: true });
  return { root: ws, repoDir: path.join(ws, "repo"), homeDir: path.join(ws, "home") };
}
async function pushToRemote(files: Record<string, string>, message: string): Promise<string> {
  for (const [file, content] of Object.entries(files)) await writeFile(path.join(source.dir, file), content);
  await source.git(["add", "-A"]);
  await source.git(["commit", "--quiet", "-m", message]);
  await source.git(["push", "--quiet", path.join(root, "acme/app.git"), "HEAD:main"]);
  return (await source.git(["rev-parse", "HEAD"])).trim();
}
async function spareMade(req = request(), setupCommand?: string): Promise<void> {
  spares.prepare(req, mirrors, setupCommand);
  await spares.idle();
  await stat(spares.pathOf(req.key));
}

describe("SpareWorkspaces", () => {
  it("makes a spare from the mirror; the next job takes it and gets the commits pushed since", async () => {
    await spareMade();
    const tip = await pushToRemote({ "README.md": "two\n" }, "second");
    const ws = await workspace();
    const taken = await spares.take(request(), ws);
    expect(taken?.head).toBe(tip);
    expect(await readFile(path.join(ws.repoDir, "README.md"), "utf8")).toBe("two\n");
    expect((await runGit(ws.repoDir, ["rev-parse", "HEAD"])).trim()).toBe(tip);
    expect((await runGit(ws.repoDir, ["rev-parse", "refs/remotes/origin/main"])).trim()).toBe(tip);
    expect(await runGit(ws.repoDir, ["config", "remote.origin.url"])).toContain("/acme/app.git");
    await expect(stat(spares.pathOf(KEY))).rejects.toThrow(); // taken: the next job clones, or takes a new one
  });

  it("gives the spare to only one of two jobs taking it at once", async () => {
    await spareMade();
    const [a, b] = [await workspace(), await workspace()];
    const taken = await Promise.all([spares.take(request(), a), spares.take(request(), b)]);
    expect(taken.filter(Boolean)).toHaveLength(1);
    const loser = taken[0] ? b : a;
    await expect(stat(loser.repoDir)).rejects.toThrow();
  });

  it("never gives one installation's spare to another's job, nor a spare of another branch", async () => {
    await spareMade();
    const other = { ...KEY, installationId: 2 };
    expect(await spares.take(request({ key: other }), await workspace())).toBeUndefined();
    expect(spares.pathOf(other)).not.toBe(spares.pathOf(KEY));
    await stat(spares.pathOf(KEY));
    expect(await spares.take(request({ branch: "develop" }), await workspace())).toBeUndefined();
    await expect(stat(spares.pathOf(KEY))).rejects.toThrow(); // made for another branch: dropped
  });

  it("drops a spare with anything in it that is not the branch's tip, and leaves nothing in the workspace", async () => {
    await spareMade();
    await writeFile(path.join(spares.pathOf(KEY), "repo", "planted.txt"), "not from the remote\n");
    const ws = await workspace();
    expect(await spares.take(request(), ws)).toBeUndefined();
    await expect(stat(ws.repoDir)).rejects.toThrow();
    await expect(stat(path.join(ws.root, "spare"))).rejects.toThrow();

    await spareMade();
    await writeFile(path.join(spares.pathOf(KEY), "repo", "node_modules"), "ignored, but still not the remote's\n");
    expect(await spares.take(request(), await workspace())).toBeUndefined();
  });

  it("lays the trusted dependency tree beside the spare, and the job's cache moves it into place", async () => {
    // A trusted install fills the cache first (a job on the base as it found it).
    const first = await workspace();
    await runGit(work, ["clone", "--quiet", source.dir, first.repoDir]);
    const base = (await runGit(first.repoDir, ["rev-parse", "HEAD"])).trim();
    const filling = new DepCache({ dir: cacheDir, maxBytes: 1024 ** 3, key: KEY, trustedBase: base, log });
    expect(await filling.restore("npm ci", first)).toBeUndefined();
    await mkdir(path.join(first.repoDir, "node_modules", "pad"), { recursive: true });
    await writeFile(path.join(first.repoDir, "node_modules", "pad", "index.js"), "export default 1;\n");
    expect(await filling.save("npm ci", first)).toBe(true);

    await spareMade(request(), "npm ci");
    const ws = await workspace();
    const taken = await spares.take(request(), ws);
    expect(taken?.staged).toBeDefined();
    await expect(stat(path.join(ws.repoDir, "node_modules"))).rejects.toThrow(); // beside the checkout, not in it
    const cache = new DepCache({
      dir: cacheDir,
      maxBytes: 1024 ** 3,
      key: KEY,
      trustedBase: taken!.head,
      log,
      staged: taken!.staged!,
    });
    expect(await cache.restore("npm ci", ws)).toEqual({ check: "npm ls --all --offline >/dev/null" });
    expect(await readFile(path.join(ws.repoDir, "node_modules", "pad", "index.js"), "utf8")).toBe(
      "export default 1;\n",
    );
    await expect(stat(path.join(taken!.staged!.dir, "repo", "node_modules"))).rejects.toThrow(); // moved
  });
});

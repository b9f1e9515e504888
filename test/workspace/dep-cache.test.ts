// The dependency cache with a real `npm ci`: a trusted install fills it, a
// later checkout of the same lockfile gets the tree back and passes the
// offline check, and installs from checkouts that are not the base branch
// as the job found it never fill it.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pino from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DepCache } from "../../src/workspace/cache/deps.ts";
import type { Workspace } from "../../src/workspace/types.ts";
import { npmProjectFiles } from "../support/npm-fixture.ts";
import { runGit, tmpRepo, type TmpRepo } from "../support/tmp-repo.ts";

const exec = promisify(execFile);
const log = pino({ level: "silent" });
const KEY = { host: "github.example", installationId: 7, repositoryId: 99 };

let repo: TmpRepo;
let base: string;
let root: string;
let cacheDir: string;

beforeAll(async () => {
  repo = await tmpRepo({
    files: { ...(await npmProjectFiles()), "index.js": 'import pad from "padder";\nconsole.log(pad("x", 3));\n' },
  });
  base = (await repo.git(["rev-parse", "HEAD"])).trim();
  root = await mkdtemp(path.join(tmpdir(), "dep-cache-"));
});
afterAll(async () => {
  await repo.cleanup();
  await rm(root, { recursive: true, force: true });
});
beforeEach(async () => {
  cacheDir = await mkdtemp(path.join(root, "cache-"));
});

let n = 0;
async function checkout(): Promise<Workspace> {
  const ws = path.join(root, `ws-${n++}`);
  await mkdir(path.join(ws, "home"), { recursive: true });
  await runGit(root, ["clone", "--quiet", repo.dir, path.join(ws, "repo")]);
  return { root: ws, repoDir: path.join(ws, "repo"), homeDir: path.join(ws, "home") };
}

const cache = (options: { trustedBase?: string } = { trustedBase: base }) =>
  new DepCache({ dir: cacheDir, maxBytes: 1024 ** 3, key: KEY, trustedBase: options.trustedBase, log });
const npmCi = (ws: Workspace) =>
  exec("npm", ["ci", "--offline", "--no-audit", "--no-fund"], {
    cwd: ws.repoDir,
    env: { ...process.env, HOME: ws.homeDir },
  });
const entries = async () => readdir(path.join(cacheDir, "deps", "github.example", "7", "99")).catch(() => []);

describe("DepCache", () => {
  it("fills the cache from a trusted install and gives the tree to the next job, which only checks it", async () => {
    const first = await checkout();
    const c1 = cache();
    expect(await c1.restore("npm ci", first)).toBeUndefined();
    await npmCi(first);
    expect(await c1.save("npm ci", first)).toBe(true);

    const second = await checkout();
    const restored = await cache().restore("npm ci", second);
    expect(restored).toEqual({ check: "npm ls --all --offline >/dev/null" });
    expect(await readFile(path.join(second.repoDir, "node_modules/padder/index.js"), "utf8")).toContain("padStart");
    await exec("bash", ["-c", restored!.check], { cwd: second.repoDir, env: { ...process.env, HOME: second.homeDir } });
    expect((await exec("node", ["index.js"], { cwd: second.repoDir })).stdout).toBe("  x\n");
  });

  it("hands out copies: a change to the restored tree does not reach the cache", async () => {
    const first = await checkout();
    const c1 = cache();
    await c1.restore("npm ci", first);
    await npmCi(first);
    expect(await c1.save("npm ci", first)).toBe(true);
    const second = await checkout();
    await cache().restore("npm ci", second);
    await writeFile(path.join(second.repoDir, "node_modules/padder/index.js"), "module.exports = () => 'poisoned';\n");
    const third = await checkout();
    await cache().restore("npm ci", third);
    expect(await readFile(path.join(third.repoDir, "node_modules/padder/index.js"), "utf8")).toContain("padStart");
  });

  it("does not fill the cache from a checkout whose lockfile is not the base branch's", async () => {
    const ws = await checkout();
    const lock = path.join(ws.repoDir, "package-lock.json");
    await writeFile(lock, (await readFile(lock, "utf8")).replace('"lockfileVersion": 3', '"lockfileVersion": 3 '));
    const c = cache();
    expect(await c.restore("npm ci", ws)).toBeUndefined();
    await npmCi(ws);
    expect(await c.save("npm ci", ws)).toBe(false);
    expect(await entries()).toEqual([]);
  });

  it("does not fill the cache from a checkout on a commit other than the base, even with the same lockfile", async () => {
    const ws = await checkout();
    await writeFile(
      path.join(ws.repoDir, "package.json"),
      (await readFile(path.join(ws.repoDir, "package.json"), "utf8")).replace(
        '"test": "node --test"',
        '"test": "node --test", "postinstall": "echo planted"',
      ),
    );
    await runGit(ws.repoDir, ["commit", "--quiet", "-am", "a fork's change"]);
    const c = cache();
    await c.restore("npm ci", ws);
    await npmCi(ws);
    expect(await c.save("npm ci", ws)).toBe(false);
    expect(await entries()).toEqual([]);
  });

  it("does not fill the cache when the job has no trusted base, nor for a command it does not know", async () => {
    const ws = await checkout();
    const untrusted = cache({});
    await untrusted.restore("npm ci", ws);
    await npmCi(ws);
    expect(await untrusted.save("npm ci", ws)).toBe(false);
    const custom = cache();
    expect(await custom.restore("npm ci && npm run build", ws)).toBeUndefined();
    expect(await custom.save("npm ci && npm run build", ws)).toBe(false);
    expect(await entries()).toEqual([]);
  });

  it("checks a restored tree for real, and takes it away when the check fails so the full install starts clean", async () => {
    const first = await checkout();
    const c1 = cache();
    await c1.restore("npm ci", first);
    await npmCi(first);
    expect(await c1.save("npm ci", first)).toBe(true);
    const second = await checkout();
    const c = cache();
    const restored = await c.restore("npm ci", second);
    await rm(path.join(second.repoDir, "node_modules/padder"), { recursive: true });
    await expect(
      exec("bash", ["-c", restored!.check], { cwd: second.repoDir, env: { ...process.env, HOME: second.homeDir } }),
    ).rejects.toThrow();
    await c.discard("npm ci", second);
    await expect(stat(path.join(second.repoDir, "node_modules"))).rejects.toThrow();
    expect(await entries()).toEqual([]);
    // The full install that follows, from the trusted checkout, fills the cache again.
    await npmCi(second);
    expect(await c.save("npm ci", second)).toBe(true);
  });
});

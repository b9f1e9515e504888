// clone_depth and partial_clone against a real git smart-HTTP server: a
// shallow clone holds only the last commits, a blobless one holds no file
// contents of past commits and fetches them, with the token, when the app
// checks out an older commit. Neither goes through the mirror cache.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MirrorCache } from "../../src/workspace/cache/mirror.ts";
import { GitWorkspace } from "../../src/workspace/git.ts";
import { startGitHttp, type GitHttpServer } from "../support/git-http.ts";
import { runGit, tmpRepo, type TmpRepo } from "../support/tmp-repo.ts";

const TOKEN = "ghs_slimclonetoken00000000000000000000000";
let root: string;
let server: GitHttpServer;
let source: TmpRepo;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "slim-clone-"));
  source = await tmpRepo({
    files: { "a.txt": "v0\n" },
    commits: Array.from({ length: 4 }, (_, i) => ({ message: `c${i + 1}`, files: { "a.txt": `v${i + 1}\n` } })),
  });
  const bare = path.join(root, "remote/acme/app.git");
  await runGit(root, ["clone", "--quiet", "--bare", source.dir, bare]);
  await runGit(bare, ["config", "uploadpack.allowFilter", "true"]);
  server = await startGitHttp(path.join(root, "remote"));
  server.tokens.set("acme/app.git", new Set([TOKEN]));
});
afterAll(async () => {
  await server.close();
  await source.cleanup();
  await rm(root, { recursive: true, force: true });
});

let n = 0;
async function clone(options: { depth?: number; partial?: boolean }) {
  const dir = path.join(root, `ws-${n++}`);
  const cache = new MirrorCache({ dir: path.join(root, "cache"), maxBytes: 1024 ** 3, log: pino({ level: "silent" }) });
  const git = await GitWorkspace.clone({
    cloneUrl: `${server.url}/acme/app.git`,
    dir,
    branch: "main",
    token: async () => TOKEN,
    home: root,
    ...options,
    mirror: { cache, key: { host: "h", installationId: 1, repositoryId: 1 }, shareObjects: false },
  });
  return { dir, git };
}

describe("slim clones", () => {
  it("clone_depth: only the last commits, and no mirror", async () => {
    const { dir, git } = await clone({ depth: 2 });
    expect(git.mirrorUse).toBeUndefined();
    expect((await runGit(dir, ["rev-parse", "--is-shallow-repository"])).trim()).toBe("true");
    expect((await runGit(dir, ["log", "--format=%s"])).trim().split("\n")).toEqual(["c4", "c3"]);
  });

  it("partial_clone: no past file contents until the app checks out an older commit, then fetched with the token", async () => {
    const { dir, git } = await clone({ partial: true });
    expect(git.mirrorUse).toBeUndefined();
    const missing = (await runGit(dir, ["rev-list", "--objects", "--all", "--missing=print"]))
      .split("\n")
      .filter((l) => l.startsWith("?"));
    expect(missing).toHaveLength(4);
    const first = (await runGit(dir, ["rev-list", "--max-parents=0", "HEAD"])).trim();
    await git.checkoutNewBranch("old", first);
    expect(await readFile(path.join(dir, "a.txt"), "utf8")).toBe("v0\n");
    expect(await readFile(path.join(dir, ".git/config"), "utf8")).not.toContain(TOKEN);
  });
});

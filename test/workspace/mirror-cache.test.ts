// The repository mirror cache against a real git smart-HTTP server: warm
// clones see new commits, installations never share a mirror, a damaged or
// interrupted mirror is repaired, and the size cap evicts the least used.
import { execFile, spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pino from "pino";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.ts";
import { MirrorCache, type MirrorCloneRequest } from "../../src/workspace/cache/mirror.ts";
import { lockPath } from "../../src/workspace/cache/lock.ts";
import { startGitHttp, type GitHttpServer } from "../support/git-http.ts";
import { runGit, tmpRepo, type TmpRepo } from "../support/tmp-repo.ts";

const STALE_MS = 3_000;
const TOKEN_A = "ghs_installationAtoken000000000000000000";
const TOKEN_B = "ghs_installationBtoken000000000000000000";
const log = pino({ level: "silent" });

let root: string;
let server: GitHttpServer;
let source: TmpRepo;
let cacheDir: string;
let work: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "mirror-remote-"));
  server = await startGitHttp(root);
});
afterAll(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});
beforeEach(async () => {
  source = await tmpRepo({ files: { "README.md": "one\n" } });
  await runGit(root, ["clone", "--quiet", "--bare", source.dir, path.join(root, "acme/app.git")]);
  server.tokens.set("acme/app.git", new Set([TOKEN_A]));
  cacheDir = await mkdtemp(path.join(tmpdir(), "mirror-cache-"));
  work = await mkdtemp(path.join(tmpdir(), "mirror-work-"));
});
afterEach(async () => {
  await source.cleanup();
  await rm(path.join(root, "acme"), { recursive: true, force: true });
  await rm(cacheDir, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
});

const cache = (maxBytes = 1024 ** 3) => new MirrorCache({ dir: cacheDir, maxBytes, staleMs: STALE_MS, log });
let n = 0;
const request = (over: Partial<MirrorCloneRequest> = {}): MirrorCloneRequest => ({
  key: { host: "github.example", installationId: 1, repositoryId: 42 },
  cloneUrl: `${server.url}/acme/app.git`,
  branch: "main",
  dir: path.join(work, `ws-${n++}`),
  token: TOKEN_A,
  ...over,
});
const read = (dir: string, file: string) => readFile(path.join(dir, file), "utf8");

async function pushToRemote(files: Record<string, string | Buffer>, message: string): Promise<void> {
  for (const [file, content] of Object.entries(files)) await writeFile(path.join(source.dir, file), content);
  await source.git(["add", "-A"]);
  await source.git(["commit", "--quiet", "-m", message]);
  await source.git(["push", "--quiet", path.join(root, "acme/app.git"), "HEAD:main"]);
}

describe("MirrorCache", () => {
  it("makes the mirror on the first clone and brings it up to date on the next", async () => {
    const first = request();
    expect(await cache().cloneInto(first)).toBe("cold");
    expect(await read(first.dir, "README.md")).toBe("one\n");

    await pushToRemote({ "README.md": "two\n" }, "second");
    const second = request();
    expect(await cache().cloneInto(second)).toBe("warm");
    expect(await read(second.dir, "README.md")).toBe("two\n");
    expect((await runGit(second.dir, ["log", "--format=%s"])).split("\n").filter(Boolean)).toEqual([
      "second",
      "Initial commit",
    ]);
  });

  it("makes the first mirror from the first job's own clone, with every branch of the remote", async () => {
    await source.git(["push", "--quiet", path.join(root, "acme/app.git"), "HEAD:refs/heads/feature"]);
    const first = request();
    expect(await cache().cloneInto(first)).toBe("cold");
    const mirror = cache().pathOf(first.key);
    const branches = await runGit(mirror, ["for-each-ref", "--format=%(refname)", "refs/"]);
    expect(branches.split("\n").filter(Boolean).sort()).toEqual(["refs/heads/feature", "refs/heads/main"]);
    expect(await runGit(mirror, ["config", "--list", "--local"])).not.toContain("remote.origin");
    await runGit(mirror, ["fsck", "--no-progress"]);
    const feature = request({ branch: "feature" });
    expect(await cache().cloneInto(feature)).toBe("warm");
    expect(await read(feature.dir, "README.md")).toBe("one\n");
  });

  it("leaves a workspace that owns its objects and names only the real remote, with no token anywhere on disk", async () => {
    const req = request();
    await cache().cloneInto(req);
    await cache().cloneInto(request());
    const config = await read(req.dir, ".git/config");
    expect(config).toContain(`url = ${server.url}/acme/app.git`);
    expect(config).not.toContain(cacheDir);
    await expect(stat(path.join(req.dir, ".git/objects/info/alternates"))).rejects.toThrow();
    const basic = Buffer.from(`x-access-token:${TOKEN_A}`).toString("base64");
    for (const dir of [cacheDir, path.join(req.dir, ".git")]) {
      // -a: packs and the index too; exit 1 is "no match"
      const hits = await new Promise<string>((resolve, reject) =>
        execFile(
          "git",
          ["grep", "--no-index", "-a", "-l", "-F", "-e", TOKEN_A, "-e", basic, "--", "."],
          { cwd: dir },
          (err, stdout) => (err && err.code !== 1 ? reject(err) : resolve(stdout)),
        ),
      );
      expect(hits).toBe("");
    }
  });

  it("copies the mirror's packs unless told that commands cannot write .git, and then links them", async () => {
    // Enough objects that the fetch keeps them as a pack (under transfer.unpackLimit they are loose).
    await pushToRemote(
      Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`f${i}.txt`, `${i}\n`])),
      "many files",
    );
    const copied = request();
    await cache().cloneInto(copied);
    const linked = request({ shareObjects: true });
    await cache().cloneInto(linked);
    const packOf = async (gitDir: string) => {
      const dir = path.join(gitDir, "objects/pack");
      const name = (await readdir(dir)).find((f) => f.endsWith(".pack"))!;
      return stat(path.join(dir, name));
    };
    const mirror = await packOf(cache().pathOf(copied.key));
    expect((await packOf(path.join(copied.dir, ".git"))).ino).not.toBe(mirror.ino);
    expect((await packOf(path.join(linked.dir, ".git"))).ino).toBe(mirror.ino);
  });

  it("never lets another installation's job read a mirror it has no access to", async () => {
    await cache().cloneInto(request());
    const other = request({ key: { host: "github.example", installationId: 2, repositoryId: 42 }, token: TOKEN_B });
    await expect(cache().cloneInto(other)).rejects.toBeInstanceOf(UserError);
    await expect(stat(other.dir)).rejects.toThrow();
    expect(cache().pathOf(other.key)).not.toBe(cache().pathOf(request().key));

    // Given access, it gets a mirror of its own, made from the remote.
    server.tokens.get("acme/app.git")!.add(TOKEN_B);
    expect(await cache().cloneInto(request({ key: other.key, token: TOKEN_B }))).toBe("cold");
  });

  it("makes a mirror that fails git fsck again", async () => {
    await cache().cloneInto(request());
    await pushToRemote({ "README.md": "two\n" }, "second");
    await cache().cloneInto(request());
    await pushToRemote({ "README.md": "three\n" }, "third");
    await cache().cloneInto(request());
    // The second commit's README (fetched loose: a small fetch) is in no branch tip: a fetch never notices it
    // gone, fsck does.
    const blob = (await runGit(source.dir, ["rev-parse", "HEAD~1:README.md"])).trim();
    const mirror = cache().pathOf(request().key);
    const loose = path.join(mirror, "objects", blob.slice(0, 2), blob.slice(2));
    await stat(loose);
    await rm(loose);

    const next = request();
    expect(await cache().cloneInto(next)).toBe("rebuilt");
    expect(await read(next.dir, "README.md")).toBe("three\n");
    await runGit(next.dir, ["fsck", "--no-progress"]);
    await stat(loose);
  });

  it("reuses a mirror that an interrupted git left lock files and half-written packs in", async () => {
    const req = request();
    await cache().cloneInto(req);
    const mirror = cache().pathOf(req.key);
    await writeFile(path.join(mirror, "packed-refs.lock"), "");
    await writeFile(path.join(mirror, "refs/heads/main.lock"), "");
    await writeFile(path.join(mirror, "objects/pack/tmp_pack_abc123"), randomBytes(1000));
    await pushToRemote({ "README.md": "three\n" }, "third");

    const next = request();
    expect(await cache().cloneInto(next)).toBe("warm");
    expect(await read(next.dir, "README.md")).toBe("three\n");
  });

  it("serves two jobs on one repository at once", async () => {
    await pushToRemote({ "big.bin": randomBytes(2 * 1024 * 1024) }, "big");
    const [a, b] = [request(), request()];
    const uses = await Promise.all([cache().cloneInto(a), cache().cloneInto(b)]);
    expect(uses.sort()).toEqual(["cold", "warm"]);
    expect(await read(a.dir, "README.md")).toBe("one\n");
    expect(await read(b.dir, "README.md")).toBe("one\n");
  });

  it("evicts the least recently used mirror past the size cap, never the one in use", async () => {
    await pushToRemote({ "big.bin": randomBytes(3 * 1024 * 1024) }, "big");
    await runGit(root, [
      "clone",
      "--quiet",
      "--bare",
      path.join(root, "acme/app.git"),
      path.join(root, "acme/other.git"),
    ]);
    server.tokens.set("acme/other.git", new Set([TOKEN_A]));
    const small = cache(4 * 1024 * 1024);
    await small.cloneInto(request());
    const otherKey = { host: "github.example", installationId: 1, repositoryId: 43 };
    await small.cloneInto(request({ key: otherKey, cloneUrl: `${server.url}/acme/other.git` }));
    await expect(stat(small.pathOf(request().key))).rejects.toThrow();
    await stat(small.pathOf(otherKey));
  });

  it("survives a kill -9 in the middle of a fetch: the next job takes the lock over and gets the new commits", async () => {
    await cache().cloneInto(request());
    await pushToRemote({ "big.bin": randomBytes(4 * 1024 * 1024), "README.md": "after kill\n" }, "large");
    const req = request();
    const stalled = server.stall(512 * 1024);
    const child = spawn(
      process.execPath,
      [
        path.join(import.meta.dirname, "mirror-child.ts"),
        JSON.stringify({ cacheDir, staleMs: STALE_MS, request: req }),
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on("exit", (_code, signal) => resolve(signal)),
    );
    const ended = exited.then((signal) => {
      throw new Error(`the child ended before the fetch stalled (${signal ?? "exit"}): ${output}`);
    });
    await Promise.race([stalled, ended]);
    const mirror = cache().pathOf(req.key);
    await stat(lockPath(mirror)); // the child holds the mirror's lock mid-fetch
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");
    await stat(lockPath(mirror)); // and the kill left it behind

    const next = request();
    expect(await cache().cloneInto(next)).toBe("warm");
    expect(await read(next.dir, "README.md")).toBe("after kill\n");
    await runGit(next.dir, ["fsck", "--no-progress"]);
    await expect(stat(lockPath(mirror))).rejects.toThrow();
  });
});

import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readRegularFile, readRepoText } from "../../src/security/repo-file.ts";

let root: string;
let repo: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), "repo-file-"));
  repo = path.join(root, "repo");
  await mkdir(path.join(repo, ".git"), { recursive: true });
  await writeFile(path.join(repo, "a.txt"), "hello\n");
  await writeFile(path.join(repo, ".git", "config"), "[core]\n");
  await writeFile(path.join(root, "outside.txt"), "host secret\n");
});
afterEach(() => rm(root, { recursive: true, force: true }));

describe("readRepoText", () => {
  it("reads a regular file of the checkout", async () => {
    expect(await readRepoText(repo, "a.txt", 100)).toEqual({ text: "hello\n", truncated: false });
  });

  it("reads a link that stays inside the checkout", async () => {
    await symlink("a.txt", path.join(repo, "b.txt"));
    expect((await readRepoText(repo, "b.txt", 100))?.text).toBe("hello\n");
  });

  it("treats a link out of the checkout, into .git/ or to /proc as absent", async () => {
    await symlink(path.join(root, "outside.txt"), path.join(repo, "out.txt"));
    await symlink(".git/config", path.join(repo, "cfg"));
    await symlink("/proc/self/environ", path.join(repo, "env"));
    for (const name of ["out.txt", "cfg", "env", "../outside.txt", "missing.txt"])
      expect(await readRepoText(repo, name, 100)).toBeUndefined();
  });

  it("returns at once for a FIFO and for an endless device", async () => {
    execFileSync("mkfifo", [path.join(repo, "fifo")]);
    await symlink("/dev/zero", path.join(repo, "zero"));
    expect(await readRepoText(repo, "fifo", 100)).toBeUndefined();
    expect(await readRepoText(repo, "zero", 100)).toBeUndefined();
  });

  it("refuses a file over the limit, or gives its head when asked", async () => {
    expect(await readRepoText(repo, "a.txt", 3)).toBeUndefined();
    expect(await readRepoText(repo, "a.txt", 3, { head: true })).toEqual({ text: "hel", truncated: true });
  });
});

describe("readRegularFile", () => {
  it("does not follow a symlink it is given, and names why it read nothing", async () => {
    await symlink("a.txt", path.join(repo, "link"));
    expect(await readRegularFile(path.join(repo, "link"), 100)).toEqual({ ok: false, reason: "not-a-file" });
    expect(await readRegularFile(path.join(repo, "nope"), 100)).toEqual({ ok: false, reason: "missing" });
    expect(await readRegularFile(repo, 100)).toEqual({ ok: false, reason: "not-a-file" });
    expect(await readRegularFile(path.join(repo, "a.txt"), 2)).toEqual({ ok: false, reason: "too-large", size: 6 });
  });
});

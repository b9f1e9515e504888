// Host-side git fails on any non-zero exit, said or silent: simple-git alone
// resolves a git that exits non-zero with nothing on stderr (steveukx/git-js#438),
// so a fetch killed by a signal read as a fetch done.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { client, gitEnv } from "../../src/workspace/git-env.ts";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "git-exit-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A `git` on PATH that does `body` instead. */
function fakeGit(name: string, body: string): Record<string, string> {
  const bin = path.join(dir, name);
  mkdirSync(bin);
  writeFileSync(path.join(bin, "git"), `#!/bin/sh\n${body}\n`);
  chmodSync(path.join(bin, "git"), 0o755);
  return { ...gitEnv(undefined, undefined, dir), PATH: `${bin}:/usr/bin:/bin` };
}

describe("host-side git's exit code decides", () => {
  it("a git killed by a signal, having said nothing, is a failure", async () => {
    const env = fakeGit("killed", "kill -KILL $$");
    await expect(client(dir, env).raw(["fetch", "origin"])).rejects.toThrow(
      /git was killed by a signal, saying nothing/,
    );
  });

  it("a git that exits non-zero in silence is a failure", async () => {
    const env = fakeGit("silent", "exit 3");
    await expect(client(dir, env).raw(["fetch", "origin"])).rejects.toThrow(/git exited with code 3, saying nothing/);
  });

  it("real git: `rev-parse --verify -q` of a missing ref, and a commit with nothing to commit, fail", async () => {
    const repo = path.join(dir, "repo");
    const env = gitEnv(undefined, { name: "t", email: "t@example.com" }, dir);
    await client(dir, env).raw(["init", "-q", repo]);
    const git = client(repo, env);
    await git.raw(["commit", "-q", "--allow-empty", "-m", "first"]);
    await expect(git.raw(["rev-parse", "--verify", "-q", "refs/heads/nope"])).rejects.toThrow(
      /exited with code 1, saying nothing/,
    );
    await expect(git.raw(["commit", "-m", "again"])).rejects.toThrow(/nothing to commit/);
    expect((await git.raw(["rev-parse", "--verify", "-q", "HEAD"])).trim()).toMatch(/^[0-9a-f]{40}$/);
  });
});

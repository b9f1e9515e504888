// Merging the base into a branch with host git, on real repositories: one
// merge commit with both parents, conflicts committed with their markers and
// amended once resolved, and nothing the checkout planted (hooks, a merge
// driver in .git/config) runs.
import { access, chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { GitWorkspace } from "../../src/workspace/git.ts";
import { amendMerge, mergeBaseIntoHead, stillConflicted } from "../../src/workspace/git-merge.ts";
import { tmpRepo, type TmpRepo } from "../support/tmp-repo.ts";

const IDENTITY = { name: "issuesmith", email: "bot@example.invalid" };
const made: string[] = [];
let origin: TmpRepo | undefined;
afterEach(async () => {
  await origin?.cleanup();
  origin = undefined;
  for (const d of made.splice(0)) await rm(d, { recursive: true, force: true });
});

/** An origin with main and a `feature` branch off it; `mainChange` then lands on main. */
async function setup(mainChange: Record<string, string>) {
  origin = await tmpRepo({ files: { "src/sum.js": "export function sum(a, b) {\n  return a - b;\n}\n" } });
  const o = origin;
  await o.git(["checkout", "-q", "-b", "feature"]);
  await writeFile(path.join(o.dir, "src/sum.js"), "export function sum(a, b) {\n  return a + b;\n}\n");
  await writeFile(path.join(o.dir, ".gitattributes"), "*.js merge=planted\n");
  await o.git(["add", "-A"]);
  await o.git(["commit", "-q", "-m", "fix"]);
  await o.git(["checkout", "-q", "main"]);
  for (const [f, text] of Object.entries(mainChange)) {
    await mkdir(path.dirname(path.join(o.dir, f)), { recursive: true });
    await writeFile(path.join(o.dir, f), text);
  }
  await o.git(["add", "-A"]);
  await o.git(["commit", "-q", "-m", "main moves"]);
  const base = (await o.git(["rev-parse", "main"])).trim();
  const root = await mkdtemp(path.join(tmpdir(), "git-merge-"));
  made.push(root);
  const git = await GitWorkspace.clone({
    cloneUrl: o.dir,
    dir: path.join(root, "repo"),
    branch: "main",
    home: root,
    identity: IDENTITY,
  });
  await git.checkoutNewBranch("feature", "origin/feature");
  const head = await git.head();
  // What an agent could plant in the checkout: hooks, and a merge driver the branch's .gitattributes names.
  const proof = path.join(root, "ran");
  const hooks = path.join(git.dir, ".git", "hooks");
  for (const hook of ["pre-merge-commit", "post-merge", "commit-msg", "post-commit"]) {
    await writeFile(path.join(hooks, hook), `#!/bin/sh\necho ${hook} >> ${proof}\n`);
    await chmod(path.join(hooks, hook), 0o755);
  }
  const config = path.join(git.dir, ".git", "config");
  await writeFile(
    config,
    `${await readFile(config, "utf8")}[merge "planted"]\n\tdriver = echo driver >> ${proof}; false\n`,
  );
  return { git, base, head, proof };
}

async function parents(git: GitWorkspace, ref: string): Promise<string[]> {
  const g = await git.hardened();
  return (await g.raw(["log", "-1", "--format=%P", ref])).trim().split(" ");
}

describe("mergeBaseIntoHead", () => {
  it("makes one merge commit with the branch and the base as parents when git merges cleanly", async () => {
    const { git, base, head, proof } = await setup({ "docs/new.md": "new\n" });
    const merged = await mergeBaseIntoHead(git, base, "Merge main into feature");
    expect(merged.conflicts).toEqual([]);
    expect(merged.sha).toBe(await git.head());
    expect(await parents(git, merged.sha)).toEqual([head, base]);
    expect(await readFile(path.join(git.dir, "docs/new.md"), "utf8")).toBe("new\n");
    await expect(access(proof)).rejects.toThrow();
  });

  it("commits git's diff3 markers on a local merge commit, and the resolution amends it with the same parents", async () => {
    const { git, base, head, proof } = await setup({
      "src/sum.js": "export function sum(x, y) {\n  return x - y;\n}\n",
    });
    const merged = await mergeBaseIntoHead(git, base, "Merge main into feature");
    expect(merged.conflicts).toMatchObject([{ path: "src/sum.js", status: "UU", binary: false }]);
    const [hunk] = merged.conflicts[0]!.hunks;
    expect(hunk?.text).toMatch(/^<<<<<<< HEAD\n[^]*\n\|{7} [0-9a-f]+\n[^]*\n=======\n[^]*\n>>>>>>> [0-9a-f]{40}$/);
    expect(await parents(git, merged.sha)).toEqual([head, base]);
    expect(await stillConflicted(git, merged.sha, merged.conflicts)).toHaveLength(1);
    // The planted driver did not merge the file, and no hook ran.
    await expect(access(proof)).rejects.toThrow();

    await writeFile(path.join(git.dir, "src/sum.js"), "export function sum(x, y) {\n  return x + y;\n}\n");
    const resolved = await amendMerge(git, merged.sha, "Merge main into feature\n\nresolved");
    expect(resolved).not.toBe(merged.sha);
    expect(await parents(git, resolved)).toEqual([head, base]);
    expect(await stillConflicted(git, resolved, merged.conflicts)).toEqual([]);
    await expect(access(proof)).rejects.toThrow();
  });

  it("reports a binary file changed on both sides as conflicted, with no hunks, and keeps it so", async () => {
    const { git, base } = await setup({ "logo.bin": "main\0side\n" });
    const g = await git.hardened();
    await writeFile(path.join(git.dir, "logo.bin"), "branch\0side\n");
    await g.raw(["add", "logo.bin"]);
    await g.raw(["commit", "-q", "-m", "branch logo"]);
    const merged = await mergeBaseIntoHead(git, base, "Merge main into feature");
    expect(merged.conflicts).toEqual([{ path: "logo.bin", status: "AA", hunks: [], binary: true }]);
    expect(await stillConflicted(git, merged.sha, merged.conflicts)).toHaveLength(1);
  });
});

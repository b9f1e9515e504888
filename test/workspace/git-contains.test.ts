// GitWorkspace.contains, on a real repository: what a resumed revision asks
// to know whether its follow-up commit already reached the branch.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GitWorkspace } from "../../src/workspace/git.ts";
import { tmpRepo, type TmpRepo } from "../support/tmp-repo.ts";

let repo: TmpRepo;
let home: string;
beforeAll(async () => {
  repo = await tmpRepo({ files: { "a.txt": "a\n" }, commits: [{ message: "second", files: { "a.txt": "b\n" } }] });
  home = await mkdtemp(path.join(tmpdir(), "git-contains-home-"));
});
afterAll(async () => {
  await repo.cleanup();
  await rm(home, { recursive: true, force: true });
});

describe("GitWorkspace.contains", () => {
  it("says whether a commit is the ref or in its history", async () => {
    const git = await GitWorkspace.open({ dir: repo.dir, home });
    const head = (await repo.git(["rev-parse", "HEAD"])).trim();
    const first = (await repo.git(["rev-parse", "HEAD~1"])).trim();
    expect(await git.contains(head, head)).toBe(true);
    expect(await git.contains(head, first)).toBe(true);
    expect(await git.contains(first, head)).toBe(false);
    expect(await git.contains(head, "0".repeat(40))).toBe(false);
  });
});

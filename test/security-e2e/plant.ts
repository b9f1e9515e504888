// Commits what the fake's seeding cannot make (symlinks) to a served
// repository, through an ordinary clone on the file system.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { TestApp } from "../support/app.ts";

const run = promisify(execFile);

/** Adds `links` (path in the repository → target) to `branch` of owner/repo as one commit. */
export async function commitSymlinks(
  app: TestApp,
  owner: string,
  repo: string,
  links: Record<string, string>,
  branch = "main",
): Promise<void> {
  const record = app.fake.state.repo(`${owner}/${repo}`);
  if (!record) throw new Error(`no repository ${owner}/${repo}`);
  const dir = await mkdtemp(path.join(tmpdir(), "plant-"));
  const git = (...args: string[]) =>
    run("git", ["-c", "user.name=Planter", "-c", "user.email=planter@example.invalid", ...args], { cwd: dir });
  try {
    await git("clone", "--quiet", "--branch", branch, record.gitDir, ".");
    for (const [p, target] of Object.entries(links)) {
      await mkdir(path.dirname(path.join(dir, p)), { recursive: true });
      await rm(path.join(dir, p), { force: true });
      await symlink(target, path.join(dir, p));
    }
    await git("add", "-A");
    await git("commit", "--quiet", "-m", "Add links");
    await git("push", "--quiet", "origin", `HEAD:refs/heads/${branch}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

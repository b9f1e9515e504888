// Where a task's repository comes from. A git URL or a local repository is
// cloned as it is; a plain directory (how the shipped tasks are kept, with
// no nested .git in the project) becomes a one-commit repository first.
import { execFile } from "node:child_process";
import { cp, mkdtemp, readdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import type { EvalTask } from "./task.ts";

const exec = promisify(execFile);

/** Left out when a plain directory is made a repository: what a test run leaves behind. */
const SKIPPED = new Set([".git", "node_modules", "__pycache__", ".pytest_cache", ".venv"]);

export interface TaskSource {
  /** What localRun clones. */
  source: string;
  baseCommit: string | undefined;
  cleanup(): Promise<void>;
}

const FIXED_DATE = "2025-01-01T00:00:00Z";

/** Run git without the user's config, hooks or signing getting in the way. */
export async function git(cwd: string, args: string[]): Promise<string> {
  const { stdout } = await exec(
    "git",
    ["-c", "core.hooksPath=/dev/null", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", ...args],
    {
      cwd,
      env: {
        PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        HOME: cwd,
        GIT_CONFIG_NOSYSTEM: "1",
        GIT_AUTHOR_NAME: "issuesmith eval",
        GIT_AUTHOR_EMAIL: "eval@issuesmith.invalid",
        GIT_COMMITTER_NAME: "issuesmith eval",
        GIT_COMMITTER_EMAIL: "eval@issuesmith.invalid",
        GIT_AUTHOR_DATE: FIXED_DATE,
        GIT_COMMITTER_DATE: FIXED_DATE,
      },
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return stdout;
}

export async function prepareSource(task: EvalTask, scratchDir: string): Promise<TaskSource> {
  const none = async () => {};
  if (!path.isAbsolute(task.repo)) return { source: task.repo, baseCommit: task.baseCommit, cleanup: none };
  const st = await stat(task.repo).catch(() => undefined);
  if (!st?.isDirectory()) throw new Error(`the repository ${task.repo} does not exist`);
  const isRepo =
    (await stat(path.join(task.repo, ".git")).catch(() => undefined)) !== undefined ||
    (await stat(path.join(task.repo, "HEAD")).catch(() => undefined))?.isFile();
  if (isRepo) return { source: task.repo, baseCommit: task.baseCommit, cleanup: none };
  if (task.baseCommit)
    throw new Error(
      `base_commit ${task.baseCommit} was given, but ${task.repo} is a plain directory, not a git repository`,
    );
  const dir = await mkdtemp(path.join(scratchDir, `issuesmith-eval-src-${task.id.slice(0, 20)}-`));
  try {
    await copyTree(task.repo, dir);
    await git(dir, ["init", "-q"]);
    await git(dir, ["add", "-A"]);
    await git(dir, ["commit", "-q", "--no-verify", "-m", `${task.id}: base`]);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return { source: dir, baseCommit: undefined, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

async function copyTree(from: string, to: string): Promise<void> {
  for (const entry of await readdir(from)) {
    if (SKIPPED.has(entry)) continue;
    await cp(path.join(from, entry), path.join(to, entry), {
      recursive: true,
      filter: (src) => !SKIPPED.has(path.basename(src)),
    });
  }
}

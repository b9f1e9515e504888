// Git repositories in temp dirs for tests: real history, removed afterwards.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export interface TmpRepo {
  dir: string;
  /** Runs git in the repository; resolves with stdout, rejects with stderr. */
  git(args: string[]): Promise<string>;
  cleanup(): Promise<void>;
}

export interface TmpRepoOptions {
  files: Record<string, string | Buffer>;
  /** Commits after the initial one; a null content deletes the file. */
  commits?: { message: string; files: Record<string, string | Buffer | null> }[];
  branch?: string;
}

/** git without the developer's configuration or prompts, with a fixed identity. */
export const isolatedGitEnv: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_TERMINAL_PROMPT: "0",
  GIT_AUTHOR_NAME: "Test Author",
  GIT_AUTHOR_EMAIL: "author@example.invalid",
  GIT_COMMITTER_NAME: "Test Author",
  GIT_COMMITTER_EMAIL: "author@example.invalid",
};

export function runGit(cwd: string, args: string[], env: NodeJS.ProcessEnv = isolatedGitEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("git", args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
      error ? reject(new Error(`git ${args.join(" ")}: ${stderr.trim() || error.message}`)) : resolve(stdout),
    );
  });
}

export async function tmpRepo(options: TmpRepoOptions): Promise<TmpRepo> {
  const dir = await mkdtemp(join(tmpdir(), "tmp-repo-"));
  const git = (args: string[]) => runGit(dir, args);
  try {
    await git(["init", "--quiet", `--initial-branch=${options.branch ?? "main"}`]);
    const steps = [
      { message: "Initial commit", files: options.files as Record<string, string | Buffer | null> },
      ...(options.commits ?? []),
    ];
    for (const step of steps) {
      for (const [path, content] of Object.entries(step.files)) {
        const target = join(dir, path);
        if (content === null) await rm(target, { force: true });
        else {
          await mkdir(dirname(target), { recursive: true });
          await writeFile(target, content);
        }
      }
      await git(["add", "--all"]);
      await git(["commit", "--quiet", "--allow-empty", "-m", step.message]);
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return { dir, git, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

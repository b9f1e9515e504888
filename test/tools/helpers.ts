// A throwaway git repository and a ToolContext around it, for the tool tests.
// (test/support/tmp-repo.ts is the shared helper; this one stays tiny and
// local so the tool tests depend on nothing but the tools.)
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { repoConfigSchema } from "../../src/config/repo-config.ts";
import { Redactor } from "../../src/security/redact.ts";
import type { ToolContext } from "../../src/tools/define.ts";
import { DirectRunner } from "../../src/workspace/sandbox.ts";
import type { Workspace } from "../../src/workspace/types.ts";

export interface TestRepo {
  workspace: Workspace;
  repoDir: string;
  /** Absolute path of a repository-relative one. */
  file(rel: string): string;
  cleanup(): Promise<void>;
}

export async function makeRepo(
  files: Record<string, string | Buffer> = {},
  options: { git?: boolean } = {},
): Promise<TestRepo> {
  const root = await mkdtemp(path.join(os.tmpdir(), "issuesmith-tools-"));
  const repoDir = path.join(root, "repo");
  const homeDir = path.join(root, "home");
  await mkdir(repoDir, { recursive: true });
  await mkdir(homeDir, { recursive: true });
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(repoDir, rel);
    await mkdir(path.dirname(abs), { recursive: true });
    await writeFile(abs, content);
  }
  if (options.git !== false) {
    const git = (...args: string[]) =>
      execFileSync(
        "git",
        ["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main", ...args],
        { cwd: repoDir, stdio: "pipe" },
      );
    git("init", "-q");
    git("add", "-A");
    git("commit", "-q", "--allow-empty", "-m", "initial");
  }
  return {
    workspace: { root, repoDir, homeDir },
    repoDir,
    file: (rel) => path.join(repoDir, rel),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

export interface ContextOverrides {
  config?: Record<string, unknown>;
  testCommand?: string;
  secrets?: string[];
  signal?: AbortSignal;
}

export function makeContext(repo: TestRepo, overrides: ContextOverrides = {}): ToolContext {
  return {
    workspace: repo.workspace,
    runner: new DirectRunner(),
    config: repoConfigSchema.parse(overrides.config ?? {}),
    testCommand: overrides.testCommand,
    redactor: new Redactor(overrides.secrets ?? []),
    signal: overrides.signal ?? new AbortController().signal,
  };
}

/** The node binary running the tests (Node 24), quoted for a shell command line. */
export const NODE = `'${process.execPath}'`;

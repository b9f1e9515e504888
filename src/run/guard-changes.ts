// Before anything leaves the workspace: changes to protected paths are undone
// (whatever tool made them), and the diff is scanned for secrets and
// oversized files. Found secrets stop the push.
import { stat } from "node:fs/promises";
import path from "node:path";
import type { RepoConfig } from "../config/repo-config.ts";
import { findProtectedChanges } from "../security/protected-paths.ts";
import type { Redactor } from "../security/redact.ts";
import { scanDiff, scanSizes, type Finding } from "../security/secret-scan.ts";
import type { GitWorkspace } from "../workspace/git.ts";

export interface GuardResult {
  /** Every path the work changed, protected ones excluded. */
  changed: string[];
  refused: Array<{ path: string; reason: string }>;
  findings: Finding[];
}

/** Undo protected changes (and files only setup rewrote) in the working tree; report what the work changed since `base`. */
export async function undoProtectedChanges(
  git: GitWorkspace,
  base: string,
  config: RepoConfig,
): Promise<Omit<GuardResult, "findings">> {
  await git.revertSetupRewrites(base);
  const changed = [...new Set([...(await git.changedPaths()), ...(await git.diffPaths(base))])].sort();
  const refused = findProtectedChanges(changed, config);
  if (refused.length > 0)
    await git.revertPaths(
      refused.map((r) => r.path),
      base,
    );
  const refusedPaths = new Set(refused.map((r) => r.path));
  return { changed: changed.filter((p) => !refusedPaths.has(p)), refused };
}

/** Scan the committed work since `base`: secrets in added lines, files over the size limit. */
export async function scanCommitted(
  git: GitWorkspace,
  base: string,
  config: RepoConfig,
  redactor: Redactor,
  changed: string[],
): Promise<Finding[]> {
  const maxFileBytes = config.max_file_kb * 1024;
  const diff = await git.diff(base);
  const sizes: Array<{ path: string; bytes: number }> = [];
  for (const p of changed) {
    const s = await stat(path.join(git.dir, p)).catch(() => undefined);
    if (s?.isFile()) sizes.push({ path: p, bytes: s.size });
  }
  return [...scanDiff(diff, { maxFileBytes, knownSecrets: redactor }), ...scanSizes(sizes, maxFileBytes)];
}

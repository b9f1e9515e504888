// Git facts of a pull request. Like GitHub, the base repository keeps the
// head commit under refs/pull/N/head (fetched from the fork when the head
// lives there), so diffs and compares work within one repository.
import {
  branchSha,
  countBetween,
  diffFiles,
  fetchRef,
  mergeBase,
  resolveCommit,
  updateRef,
  type FileChange,
} from "./git-repo.ts";
import type { PullGitFacts } from "./shapes/pulls.ts";
import type { FakeState, PullRecord } from "./state.ts";

export async function refreshPullHead(state: FakeState, pull: PullRecord): Promise<string> {
  const base = state.repo(pull.repo);
  const head = state.repo(pull.headRepo);
  if (!base) throw new Error(`pull ${pull.repo}#${pull.number}: no base repository`);
  const ref = `refs/pull/${pull.number}/head`;
  const live = head ? await branchSha(head.gitDir, pull.headRef) : null;
  const kept = await resolveCommit(base.gitDir, ref);
  if (live && live !== kept) {
    if (head === base) await updateRef(base.gitDir, ref, live);
    else if (head) await fetchRef(base.gitDir, head.gitDir, `refs/heads/${pull.headRef}`, ref);
  }
  const sha = live ?? kept;
  if (!sha) throw new Error(`pull ${pull.repo}#${pull.number}: head ${pull.headRef} is gone`);
  return sha;
}

export async function pullFiles(
  state: FakeState,
  pull: PullRecord,
): Promise<{ facts: PullGitFacts; files: FileChange[]; mergeBase: string }> {
  const base = state.repo(pull.repo);
  if (!base) throw new Error(`pull ${pull.repo}#${pull.number}: no base repository`);
  const headSha = await refreshPullHead(state, pull);
  const baseSha = (await branchSha(base.gitDir, pull.baseRef)) ?? headSha;
  const mb = (await mergeBase(base.gitDir, baseSha, headSha)) ?? baseSha;
  const [commits, files] = await Promise.all([
    countBetween(base.gitDir, baseSha, headSha),
    diffFiles(base.gitDir, mb, headSha),
  ]);
  return {
    facts: {
      headSha,
      baseSha,
      commits,
      additions: files.reduce((n, f) => n + f.additions, 0),
      deletions: files.reduce((n, f) => n + f.deletions, 0),
      changedFiles: files.length,
    },
    files,
    mergeBase: mb,
  };
}

/**
 * GitHub's diff_hunk of a line comment: the hunk header and its lines up to
 * the commented line (new-file numbering for RIGHT, old for LEFT).
 */
export function hunkFor(patch: string | undefined, line: number | null, side: "LEFT" | "RIGHT"): string {
  if (!patch) return "";
  const lines = patch.split("\n");
  if (line === null) return lines[0] ?? "";
  let header = -1;
  let oldLine = 0;
  let newLine = 0;
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i] ?? "";
    const m = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(text);
    if (m) {
      header = i;
      oldLine = Number(m[1]);
      newLine = Number(m[2]);
      continue;
    }
    if (header < 0 || text.startsWith("\\")) continue;
    const here = side === "RIGHT" ? (text.startsWith("-") ? null : newLine) : text.startsWith("+") ? null : oldLine;
    if (here === line) return lines.slice(header, i + 1).join("\n");
    if (!text.startsWith("+")) oldLine++;
    if (!text.startsWith("-")) newLine++;
  }
  // the line is outside the diff: GitHub would refuse it; seed data gets the first hunk header
  return lines[0] ?? "";
}

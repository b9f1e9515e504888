// The words for a branch brought up to date: the sentence a reply carries
// when the base was merged in, and the report of conflicts left unresolved
// (the files and their hunks, and that nothing was pushed).
import type { TestRun } from "../../shared/evidence.ts";
import type { JobOutcome } from "../../shared/job.ts";
import { renderConflicts } from "../../workspace/conflict-hunks.ts";
import { firstLine } from "../job-end.ts";
import type { JobScope } from "../job-scope.ts";
import { modelSaid, testEvidence } from "../report-text.ts";
import type { BaseUpdate } from "./base-update.ts";

/** "Brought the branch up to date with `main` …": base, merge commit and how conflicts went. */
export function mergedNote(update: Extract<BaseUpdate, { kind: "merged" }>, baseRef: string, prUrl: string): string {
  const merge = `[\`${update.merge.slice(0, 7)}\`](${prUrl}/commits/${update.merge})`;
  const head = `Brought the branch up to date with \`${baseRef}\` (\`${update.base.slice(0, 7)}\`) in merge commit ${merge}`;
  if (update.conflicts.length === 0) return `${head}; git merged it without conflicts.`;
  const files = update.conflicts.map((c) => `\`${c.path}\``).join(", ");
  const how = firstLine(update.resolution?.summary);
  const tests = update.failedBefore
    ? ` The tests fail after the merge, as they did on the branch before it (${failedBeforeText(update.failedBefore)}).`
    : update.resolution?.tests
      ? ` The tests passed after the merge (\`${update.resolution.tests.command}\`).`
      : " There is no test command, so the resolution is untested.";
  return `${head}; the agent resolved the conflicts in ${files}${how ? `: ${how}` : "."}${tests}`;
}

function failedBeforeText(run: TestRun): string {
  return `\`${run.command}\` exit code ${run.exitCode ?? "killed"} before the merge`;
}

export const UNRESOLVED_HEADLINE = "Stopped: the branch conflicts with its base, and the conflicts were not resolved";

/** The report of conflicts that could not be resolved: why, the files and hunks, what the agent said. */
export function unresolvedReport(
  update: Extract<BaseUpdate, { kind: "unresolved" }>,
  baseRef: string,
  tried: string,
): string {
  const r = update.resolution;
  return [
    `Merging \`${baseRef}\` (\`${update.base.slice(0, 7)}\`) into the branch conflicts in ${update.conflicts.length} file${update.conflicts.length === 1 ? "" : "s"}, and ${update.why}. **Nothing was pushed**: the branch is as it was.`,
    `The conflicts, as git left them (the branch, then \`|||||||\` their common ancestor, then \`${baseRef}\`):`,
    renderConflicts(update.conflicts),
    ...(r
      ? [modelSaid(r.summary).trim(), tried, testEvidence(r.tests, r.testCommand, r.setup, r.lint)].filter(Boolean)
      : []),
    `Resolve them by merging \`${baseRef}\` into the branch yourself, or say how in \`/agent fix …\`.`,
  ].join("\n\n");
}

/** End the job on conflicts left unresolved: the report says so, and nothing was pushed. */
export async function reportUnresolved(
  scope: Pick<JobScope, "reporter">,
  update: Extract<BaseUpdate, { kind: "unresolved" }>,
  baseRef: string,
): Promise<JobOutcome> {
  const { reporter } = scope;
  await reporter.final(false, UNRESOLVED_HEADLINE, unresolvedReport(update, baseRef, reporter.triedText()));
  const files = update.conflicts.map((c) => c.path).join(", ");
  return {
    status: "error",
    summary: `conflicts with ${baseRef} in ${files} not resolved (${firstLine(update.why)}); nothing pushed`,
    ...(update.resolution ? { usage: update.resolution.usage } : {}),
  };
}

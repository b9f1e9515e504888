// `/agent update` on the app's pull request: bring its branch up to date with
// the base (a merge; conflicts resolved by the agent, judged by the tests),
// run the tests, push the one merge commit, reply. Nothing else changes; an
// up-to-date branch gets "already up to date" and no push.
import { isAppLogin } from "../../github/bots.ts";
import type { JobOutcome, JobRecord, JobRunContext } from "../../shared/job.ts";
import { readCheckpoint } from "../checkpointer.ts";
import type { JobDeps } from "../deps.ts";
import { withJobScope, type JobScope } from "../job-scope.ts";
import { pushOntoSharedBranch } from "../publish.ts";
import { testEvidence } from "../report-text.ts";
import { testCheckout } from "../test-checkout.ts";
import { bringUpToDate } from "../revise/base-update.ts";
import { mergedNote, reportUnresolved } from "../revise/base-update-text.ts";
import { startRevision } from "../revise/revision-start.ts";
import { testsBeforeMerge } from "../revise/tests-before.ts";

export async function runUpdateJob(job: JobRecord, run: JobRunContext, deps: JobDeps): Promise<JobOutcome> {
  return withJobScope(job, run, deps, async (scope, config, workspaces) => {
    const { octokit, repo, reporter } = scope;
    const { data: pr } = await octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", {
      ...repo,
      pull_number: job.target.number,
    });
    const refusal =
      pr.state !== "open"
        ? "this pull request is closed"
        : !isAppLogin(pr.user?.login, scope.identity.slug) ||
            pr.head.repo?.full_name.toLowerCase() !== pr.base.repo.full_name.toLowerCase()
          ? "I only bring my own pull requests up to date; this branch is its author's to merge or rebase"
          : undefined;
    if (refusal) {
      await reporter.final(false, `Stopped: ${refusal}`, "Nothing was changed.");
      return { status: "error", summary: refusal };
    }
    await scope.checks.start(pr.head.sha);
    const clone = await workspaces.clone(scope, pr.base.repo.clone_url, pr.base.ref, pr.base.repo.id);
    const { git } = clone;
    const branch = pr.head.ref;
    await git.fetchBranch(branch);
    await git.checkoutNewBranch(branch, `origin/${branch}`);
    const start = await startRevision(
      scope,
      git,
      config,
      branch,
      run.resumed ? readCheckpoint(job.checkpoint) : undefined,
    );
    if (start.alreadyPushed) {
      await reporter.final(
        true,
        `Pushed ${start.alreadyPushed.slice(0, 7)} before the worker restarted`,
        "No second merge was made.",
      );
      return {
        status: "pr_updated",
        summary: "merge pushed before a restart",
        prNumber: pr.number,
        prUrl: pr.html_url,
      };
    }
    const update = await bringUpToDate(scope, config, {
      clone,
      baseRef: pr.base.ref,
      branch,
      pr,
      usage: start.checkpoint.usage,
    });
    if (update.kind === "unresolved") return reportUnresolved(scope, update, pr.base.ref);
    if (update.kind === "up-to-date") {
      const headline = `Already up to date with \`${pr.base.ref}\``;
      await reporter.final(
        true,
        headline,
        `The branch \`${branch}\` already contains \`${pr.base.ref}\` (\`${update.base.slice(0, 7)}\`); nothing was pushed.`,
      );
      return { status: "no_change", summary: `already up to date with ${pr.base.ref}` };
    }
    const note = mergedNote(update, pr.base.ref, pr.html_url);
    const usage = update.resolution?.usage;
    if (update.resolution) scope.checks.evidence({ ...update.resolution, summary: note }, config);
    const evidence = update.resolution
      ? testEvidence(update.resolution.tests, update.resolution.testCommand, update.resolution.setup)
      : await testCleanMerge(scope, config, clone, update.merge);
    if (typeof evidence !== "string") {
      await reporter.final(
        false,
        `Stopped: the tests fail after merging \`${pr.base.ref}\``,
        `git merged \`${pr.base.ref}\` (\`${update.base.slice(0, 7)}\`) without conflicts, but the tests fail on the result (they passed on the branch before it), so **nothing was pushed**. Ask \`${config.command} fix\` to bring the branch up to date and fix them.\n\n${evidence.failed}`,
      );
      return { status: "tests_failing", summary: `tests fail after merging ${pr.base.ref}; nothing pushed` };
    }
    await reporter.phase("push");
    const { sha } = await pushOntoSharedBranch(git, branch, { rebase: false });
    // A restart after this point reports the push instead of merging again.
    await run.update({ checkpoint: { ...start.checkpoint, base: update.merge, published: sha } });
    await scope.checks.start(sha);
    const short = sha.slice(0, 7);
    await reporter.final(true, `Brought #${pr.number} up to date with \`${pr.base.ref}\``, `${note}\n\n${evidence}`);
    return {
      status: "pr_updated",
      summary: `merged ${pr.base.ref} into ${branch} as ${short}`,
      prNumber: pr.number,
      prUrl: pr.html_url,
      ...(usage ? { usage } : {}),
    };
  });
}

/**
 * A clean merge is pushed only when the tests pass on it, or failed on the branch before it too (the merge
 * did not break them): the evidence, or what failed.
 */
async function testCleanMerge(
  scope: JobScope,
  config: Parameters<typeof testCheckout>[1],
  clone: Parameters<typeof testCheckout>[2],
  merge: string,
): Promise<string | { failed: string }> {
  const run = await testCheckout(scope, config, clone);
  if (scope.run.signal.aborted) throw scope.run.signal.reason;
  scope.checks.evidence({ ...run, summary: "A clean merge of the base; no conflicts to resolve." }, config);
  const evidence = testEvidence(run.tests, run.testCommand, run.setup);
  if (!run.tests || run.tests.passed) return evidence;
  const before = await testsBeforeMerge(scope, config, clone, merge, run.tests.command);
  if (scope.run.signal.aborted) throw scope.run.signal.reason;
  if (before.passed) return { failed: evidence };
  return `${evidence}\n\nThe tests failed on the branch before the merge too (exit code ${before.exitCode ?? "killed"}): the merge did not break them.`;
}

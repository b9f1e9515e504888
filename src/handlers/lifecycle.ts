// Following an issue's and a pull request's life (ARCHITECTURE.md §1): an
// issue closed or its trigger label removed, or a pull request closed or
// merged, cancels the running and waiting jobs for it within seconds (a
// running job stops at its next step and says once what it kept). When the
// app's own pull request closes, the checkpoint branches of its jobs go too.
import type { Probot } from "probot";
import { isAppLogin } from "../github/bots.ts";
import type { Octokit, RepoRef } from "../github/octokit.ts";
import { targetKey, TERMINAL_STATES, type JobRecord, type JobTarget } from "../shared/job.ts";
import { isWipOfJob } from "../run/checkpointer.ts";
import type { DeliveryResult, HandlerDeps } from "./deps.ts";
import { issueClosedSchema, parsePayload, pullClosedSchema, unlabeledSchema } from "./payloads.ts";
import { guarded } from "./trigger.ts";

export function registerLifecycleHandlers(app: Probot, deps: HandlerDeps): void {
  app.on("issues.closed", (context) =>
    guarded(deps, "issues.closed", context.id, async () => {
      const p = parsePayload(issueClosedSchema, context.payload);
      if (!p) return "malformed";
      const repo = { owner: p.repository.owner.login, repo: p.repository.name };
      return cancelFor(
        deps,
        context.octokit,
        { ...repo, number: p.issue.number, isPullRequest: false },
        "the issue was closed",
      );
    }),
  );

  app.on("issues.unlabeled", (context) =>
    guarded(deps, "issues.unlabeled", context.id, async () => {
      const p = parsePayload(unlabeledSchema, context.payload);
      if (!p) return "malformed";
      const repo = { owner: p.repository.owner.login, repo: p.repository.name };
      const { config } = await deps.lookups.config(context.octokit, repo);
      if (p.label.name.toLowerCase() !== config.label.toLowerCase()) return "ignored";
      const target = { ...repo, number: p.issue.number, isPullRequest: Boolean(p.issue.pull_request) };
      return cancelFor(deps, context.octokit, target, `the \`${config.label}\` label was removed`);
    }),
  );

  app.on("pull_request.closed", (context) =>
    guarded(deps, "pull_request.closed", context.id, async () => {
      const p = parsePayload(pullClosedSchema, context.payload);
      if (!p) return "malformed";
      const repo = { owner: p.repository.owner.login, repo: p.repository.name };
      const pull = p.pull_request;
      const target = { ...repo, number: pull.number, isPullRequest: true };
      const result = await cancelFor(
        deps,
        context.octokit,
        target,
        pull.merged ? "the pull request was merged" : "the pull request was closed",
      );
      const { slug } = await deps.identity();
      if (!isAppLogin(pull.user?.login, slug)) return result;
      const { config } = await deps.lookups.config(context.octokit, repo);
      const issue = issueOfBranch(pull.head.ref, config.branch_prefix);
      const keys = [targetKey(target), ...(issue ? [targetKey({ ...repo, number: issue, isPullRequest: false })] : [])];
      const jobs = (await Promise.all(keys.map((key) => deps.queue.list({ key, limit: 200 })))).flat();
      // In the background: a job just cancelled may still be saving its
      // checkpoint, and the delivery is acknowledged without waiting for it.
      void dropWipBranches(context.octokit, repo, config.branch_prefix, jobs, deps).catch((err: unknown) =>
        deps.log.warn(
          { err, repo: `${repo.owner}/${repo.repo}`, pull: pull.number },
          "could not delete the checkpoint branches of a closed pull request",
        ),
      );
      return result;
    }),
  );
}

async function cancelFor(deps: HandlerDeps, octokit: Octokit, target: JobTarget, why: string): Promise<DeliveryResult> {
  const stopped = await deps.queue.cancel({ key: targetKey(target) }, why);
  if (stopped.length === 0) return "ignored";
  for (const j of stopped) if (j.state === "cancelled") deps.cancelledBeforeStart(j, octokit, why);
  deps.log.info(
    { repo: `${target.owner}/${target.repo}`, issue: target.number, jobs: stopped.map((j) => j.id), why },
    "cancelled: the target's life moved on",
  );
  return "cancelled";
}

/** The issue a branch of ours was made for (`<prefix>issue-<n>-<slug>`), if it is one. */
export function issueOfBranch(ref: string, prefix: string): number | undefined {
  if (!ref.startsWith(prefix)) return undefined;
  const m = /^issue-(\d+)(?:-|$)/.exec(ref.slice(prefix.length));
  return m ? Number(m[1]) : undefined;
}

const SETTLE_POLL_MS = 500;
const SETTLE_MAX_MS = 120_000;

/**
 * Deletes `<prefix>wip/<job>` of the given jobs once each has ended (a job
 * cancelled a moment ago stops at its next step and may push its checkpoint
 * as it goes), so no checkpoint of a closed pull request outlives it.
 */
async function dropWipBranches(
  octokit: Octokit,
  repo: RepoRef,
  prefix: string,
  jobs: JobRecord[],
  deps: Pick<HandlerDeps, "queue" | "log">,
): Promise<void> {
  const ids = new Set(jobs.map((j) => j.id));
  if (ids.size === 0) return;
  const deadline = Date.now() + SETTLE_MAX_MS;
  for (;;) {
    const now = await Promise.all([...ids].map((id) => deps.queue.get(id)));
    if (now.every((j) => !j || TERMINAL_STATES.includes(j.state)) || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, SETTLE_POLL_MS));
  }
  const { data: refs } = await octokit.request("GET /repos/{owner}/{repo}/git/matching-refs/{ref}", {
    ...repo,
    ref: `heads/${prefix}wip/`,
  });
  for (const r of refs) {
    const name = r.ref.slice(`refs/heads/${prefix}wip/`.length);
    if (![...ids].some((id) => isWipOfJob(name, id))) continue;
    await octokit.request("DELETE /repos/{owner}/{repo}/git/refs/{ref}", {
      ...repo,
      ref: r.ref.replace(/^refs\//, ""),
    });
    deps.log.info(
      { repo: `${repo.owner}/${repo.repo}`, branch: r.ref },
      "deleted a checkpoint branch of a closed pull request",
    );
  }
}

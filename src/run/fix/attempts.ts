// Several independent attempts of one fix job (`attempts:` / `--attempts`):
// each clones into its own workspace, works on its own wip branch and is
// tested by the app; the tests pick which becomes the PR (pick-winner.ts),
// and the PR lists the others. They run side by side, at most as many at a
// time as the installation may run jobs (AGENT_INSTALLATION_CONCURRENCY).
// Steps and wall clock are each attempt's own; tokens and cost are the job's,
// one pool for all of them (agent/budget.ts SpendPool).
import pLimit from "p-limit";
import { SpendPool } from "../../agent/budget.ts";
import type { RepoConfig } from "../../config/repo-config.ts";
import type { AttemptLine } from "../../github/pr-body.ts";
import { Transient, errorMessage } from "../../errors.ts";
import { attemptTrajectoryId, type JobOutcome, type JobPatch, type Usage } from "../../shared/job.ts";
import type { GitWorkspace } from "../../workspace/git.ts";
import type { Workspace } from "../../workspace/types.ts";
import { attemptsCheckpoint, readAttemptCheckpoints, type Checkpointer, type FixCheckpoint } from "../checkpointer.ts";
import { solveWithCheckpoints } from "../checkpointed-solve.ts";
import { branchName, type IssueText } from "../issue-context.ts";
import type { JobScope } from "../job-scope.ts";
import { prepareCommit, type Prepared } from "../publish.ts";
import { JobReporter } from "../reporter.ts";
import { jobTask } from "../solve-base.ts";
import type { SolveOptions, SolveResult } from "../solve.ts";
import { prepareBranch, type BranchStart } from "./branch-start.ts";
import { fixMessage, publishResult } from "./fix-publish.ts";
import { attemptNote, diffSize, outcomeOf, outcomeText, pickWinner, type AttemptOutcome } from "./pick-winner.ts";

type Cloned = { workspace: Workspace; git: GitWorkspace; base: string };

export interface AttemptsInput {
  attempts: number;
  defaultBranch: string;
  issue: IssueText;
  /** The job's first clone: attempt 1 works in it. */
  clone: Cloned;
  /** Another clone of the repository, made for the attempt whose scope is given. */
  cloneAgain: (scope: JobScope) => Promise<Cloned>;
  repoInstructions: SolveOptions["task"]["repoInstructions"];
}

interface AttemptRun {
  attempt: number;
  git: GitWorkspace;
  start: BranchStart;
  result: SolveResult;
  checkpointer: Checkpointer;
  reporter: JobReporter;
  prepared: Prepared;
  diffLines: number;
  outcome: AttemptOutcome;
  steps: number;
}

/** What every attempt spent together. The wall clock is the longest attempt's: they run side by side. */
export function totalUsage(usages: Usage[]): Usage {
  return usages.reduce<Usage>(
    (t, u) => ({
      steps: t.steps + u.steps,
      inputTokens: t.inputTokens + u.inputTokens,
      outputTokens: t.outputTokens + u.outputTokens,
      costUsd: t.costUsd + u.costUsd,
      wallMs: Math.max(t.wallMs, u.wallMs),
    }),
    { steps: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, wallMs: 0 },
  );
}

export async function runAttempts(scope: JobScope, config: RepoConfig, input: AttemptsInput): Promise<JobOutcome> {
  const { job, run, deps, reporter } = scope;
  const n = input.attempts;
  const saved = run.resumed ? readAttemptCheckpoints(job.checkpoint).slice(0, n) : [];
  const slots: Array<FixCheckpoint | undefined> = Array.from({ length: n }, (_, i) => saved[i]);
  const branch =
    saved.find((s) => s !== undefined)?.branch ??
    branchName(config.branch_prefix, job.target.number, input.issue.title);
  // A resumed job's attempts draw on what is left of the pool after what they had spent.
  const spent = totalUsage(saved.flatMap((s) => (s ? [s.usage] : [])));
  const pool = new SpendPool(
    { tokens: config.budget.tokens, costUsd: config.budget.cost_usd },
    { tokens: spent.inputTokens + spent.outputTokens, costUsd: spent.costUsd },
  );
  const reporters = new Map<number, JobReporter>();
  const limit = pLimit(Math.max(1, Math.min(n, deps.env.queue.installationConcurrency)));
  await reporter.phase("edit", `${n} attempts, ${limit.concurrency} at a time`);

  const one = async (attempt: number): Promise<AttemptRun> => {
    // An attempt still waiting for its turn when the job is stopped (or the worker shuts down) never starts.
    run.signal.throwIfAborted();
    const id = attemptTrajectoryId(job.id, attempt);
    const link = deps.trajectories?.link(id);
    const log = scope.log.child({ attempt });
    const own = new JobReporter({
      state: { jobId: id, kind: job.kind, phase: "clone", model: scope.model.name, ...(link ? { link } : {}) },
      log,
      ...(deps.trajectories ? { sink: deps.trajectories } : {}),
      // The job's one comment shows the attempt that moved last, and what all of them spent.
      onUpdate: (state) =>
        reporter.show({
          ...(state.step !== undefined ? { step: state.step } : {}),
          ...(state.lastAction ? { lastAction: `attempt ${attempt}: ${state.lastAction}` } : {}),
          // The model endpoint's trouble shows while it lasts, as it does for one attempt.
          notice: state.notice ? `attempt ${attempt}: ${state.notice}` : undefined,
          usage: totalUsage([...reporters.values()].flatMap((r) => (r.state.usage ? [r.state.usage] : []))),
        }),
    });
    reporters.set(attempt, own);
    const update = async (patch: JobPatch) => {
      if (!patch.checkpoint) return;
      slots[attempt - 1] = patch.checkpoint as unknown as FixCheckpoint;
      await run.update({ checkpoint: attemptsCheckpoint(slots) });
    };
    const mine: JobScope = {
      ...scope,
      log,
      reporter: own,
      model: deps.model(scope.modelChoice),
      run: { ...run, update },
    };
    await own.record({ type: "task", source: taskSource(scope), title: input.issue.title, body: input.issue.body });
    const clone = attempt === 1 ? input.clone : await input.cloneAgain(mine);
    const start = await prepareBranch(mine, clone.git, branch, saved[attempt - 1], config, `-${attempt}`);
    const task = jobTask(mine, config, input.issue, input.repoInstructions, attemptNote(attempt, n));
    const { result, checkpointer } = await solveWithCheckpoints(mine, config, clone, start, task, pool);
    const message = fixMessage(job.target.number, input.issue.title, result.summary);
    const prepared = await prepareCommit(clone.git, start.checkpoint.base, config, scope.redactor, message);
    const diff = prepared.sha ? await clone.git.diff(start.checkpoint.base) : "";
    if (diff) await own.record({ type: "diff", diff });
    const outcome = outcomeOf(result, prepared);
    await own.final(outcome === "passed", `attempt ${attempt}: ${outcomeText(outcome, result)}`, "");
    const steps = result.usage.steps;
    return {
      attempt,
      git: clone.git,
      start,
      result,
      checkpointer,
      reporter: own,
      prepared,
      outcome,
      steps,
      diffLines: diffSize(diff),
    };
  };

  const numbers = Array.from({ length: n }, (_, i) => i + 1);
  const settled = await Promise.allSettled(numbers.map((a) => limit(() => one(a))));
  const runs = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const failures = settled.flatMap((s, i) => (s.status === "rejected" ? [{ attempt: i + 1, err: s.reason }] : []));
  // A shutdown: every attempt saved its work (checkpointed-solve.ts); the queue resumes the job.
  if (failures.length > 0 && (run.signal.reason instanceof Transient || runs.length === 0)) throw failures[0]!.err;
  for (const f of failures) scope.log.warn({ err: f.err, attempt: f.attempt }, "an attempt failed with an error");

  const { winner, allFailed } = pickWinner(runs);
  const lines: AttemptLine[] = [
    ...runs.map((r) => ({
      attempt: r.attempt,
      chosen: r === winner,
      result: outcomeText(r.outcome, r.result),
      passed: r.outcome === "passed",
      diffLines: r.diffLines,
      steps: r.steps,
      costUsd: r.result.usage.costUsd,
      ...linkOf(r.reporter),
    })),
    ...failures.map((f) => ({
      attempt: f.attempt,
      chosen: false,
      result: outcomeText("error", undefined, scope.redactor.redact(errorMessage(f.err))),
      passed: false,
      diffLines: 0,
      steps: reporters.get(f.attempt)?.state.usage?.steps ?? 0,
      costUsd: reporters.get(f.attempt)?.state.usage?.costUsd ?? 0,
      ...linkOf(reporters.get(f.attempt)),
    })),
  ];
  const usage = totalUsage([...reporters.values()].flatMap((r) => (r.state.usage ? [r.state.usage] : [])));
  scope.log.info(
    { winner: winner.attempt, allFailed, outcomes: runs.map((r) => `${r.attempt}:${r.outcome}`) },
    "attempts done",
  );
  reporter.usage(usage);
  const outcome = await publishResult(
    scope,
    config,
    {
      git: winner.git,
      branch,
      start: winner.start,
      result: winner.result,
      attempts: { lines, allFailed, tried: winner.reporter.triedText(), usage },
    },
    { title: input.issue.title, defaultBranch: input.defaultBranch },
  );
  for (const r of runs) await r.checkpointer.discard();
  return outcome;
}

function linkOf(reporter: JobReporter | undefined): { link?: string } {
  return reporter?.state.link ? { link: reporter.state.link } : {};
}

function taskSource(scope: JobScope): string {
  return `${scope.repo.owner}/${scope.repo.repo}#${scope.job.target.number}`;
}

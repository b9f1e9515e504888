// What every GitHub job does around its own work: acknowledge, read the
// config, clone into a private workspace, and end with a report whatever
// happened — a known error in words, a bug as "internal error" plus a log.
import { chooseModel, type ModelChoice } from "../config/models.ts";
import type { Logger } from "pino";
import type { RepoConfig } from "../config/repo-config.ts";
import { Cancelled, LeaseLost, LimitReached, Transient, UserError, errorMessage, isKnownError } from "../errors.ts";
import type { Octokit, RepoRef } from "../github/octokit.ts";
import { permissionProblems } from "../github/app-permissions.ts";
import { repositoryTokenSource } from "../github/installation-token.ts";
import { ProgressComment } from "../github/progress-comment.ts";
import { CONFIG_PATH, loadRepoConfig } from "../github/repo-config-loader.ts";
import type { JobOutcome, JobRecord, JobRunContext } from "../shared/job.ts";
import type { ChatModel } from "../llm/types.ts";
import type { Redactor } from "../security/redact.ts";
import { acknowledge } from "./acknowledge.ts";
import type { AppIdentity } from "../github/app-identity.ts";
import { readAttemptCheckpoints, readCheckpoint } from "./checkpointer.ts";
import { JobChecks } from "./job-checks.ts";
import { errorEnding } from "./job-end.ts";
import type { JobDeps } from "./deps.ts";
import { inlineCode } from "../shared/markdown.ts";
import { bulletList } from "./report-text.ts";
import { JobReporter } from "./reporter.ts";
import { WorkspaceMaker } from "./workspace-maker.ts";

export interface JobScope {
  job: JobRecord;
  run: JobRunContext;
  deps: JobDeps;
  log: Logger;
  octokit: Octokit;
  repo: RepoRef;
  redactor: Redactor;
  model: ChatModel;
  /** The allow-listed model the job runs on (its window and output limit). */
  modelChoice: ModelChoice;
  reporter: JobReporter;
  identity: AppIdentity;
  /** The installation token, fresh (it is remembered by the redactor). */
  token: () => Promise<string>;
  /** The job's workspaces, and the dependency cache of each. */
  workspaces: WorkspaceMaker;
  /** Its check runs: started where it works or pushes, completed here when it ends. */
  checks: JobChecks;
}

/**
 * Run `work` inside a job scope. The config is read first: errors end the job
 * with every problem listed. Whatever `work` throws ends in a report.
 */
export async function withJobScope(
  job: JobRecord,
  run: JobRunContext,
  deps: JobDeps,
  work: (scope: JobScope, config: RepoConfig, workspaces: WorkspaceMaker) => Promise<JobOutcome>,
): Promise<JobOutcome> {
  const repo: RepoRef = { owner: job.target.owner, repo: job.target.repo };
  const log = deps.log.child({
    job: job.id,
    repo: `${repo.owner}/${repo.repo}`,
    issue: job.target.number,
    kind: job.kind,
  });
  const octokit = await deps.octokitFor(job.installationId);
  const redactor = deps.redactor;
  let granted: Record<string, string | undefined> = {};
  const token = repositoryTokenSource(
    () => deps.appOctokit(),
    job.installationId,
    repo,
    (t, permissions) => {
      redactor.add(t);
      granted = permissions;
    },
  );
  await token(); // the redactor knows the token before anything can print it
  const commentId = await acknowledge(job, octokit, {
    queue: deps.queue,
    redactor,
    log,
    progressIntervalMs: deps.env.progressIntervalMs,
    model: deps.env.model.name ?? "unset",
  });
  const progress = new ProgressComment({
    octokit,
    repo,
    issueNumber: job.target.number,
    commentId,
    redactor,
    intervalMs: deps.env.progressIntervalMs,
    log,
  });
  // A lost lease means another worker holds the job and writes its comment now: not one more word from this run.
  const silenceOnLeaseLost = () => {
    if (run.signal.reason instanceof LeaseLost) progress.silence();
  };
  if (run.signal.aborted) silenceOnLeaseLost();
  else run.signal.addEventListener("abort", silenceOnLeaseLost, { once: true });
  const link = deps.trajectories?.link(job.id);
  const reporter = new JobReporter({
    state: {
      jobId: job.id,
      kind: job.kind,
      phase: "clone",
      model: deps.env.model.name ?? "unset",
      resumed: run.resumed,
      ...(link ? { link } : {}),
    },
    progress,
    run,
    log,
    ...(deps.trajectories ? { sink: deps.trajectories } : {}),
  });
  const workspaces = new WorkspaceMaker(deps, job, run);
  const checks = new JobChecks({
    octokit,
    repo,
    jobId: job.id,
    number: job.target.number,
    followsPull: job.target.isPullRequest && (job.kind === "fix" || job.kind === "revise" || job.kind === "update"),
    link,
    redactor,
    log,
  });
  // From here on, however the job ends, its progress comment (and its check run, if it has one) says how.
  let outcome: JobOutcome;
  try {
    outcome = await scoped();
  } catch (err) {
    outcome = await endOnError(err, { job, run, log, redactor, reporter });
  } finally {
    await progress.flush();
    await workspaces.removeAll();
  }
  await checks.complete(outcome, reporter.state.final?.headline ?? outcome.summary);
  return outcome;

  async function scoped(): Promise<JobOutcome> {
    if (run.interrupt) return await reportInterrupted(job, run.interrupt, reporter);
    const loaded = await loadRepoConfig(octokit, repo);
    const { config } = loaded;
    const errors = loaded.errors.length > 0 ? loaded.errors : permissionProblems(config, granted);
    if (errors.length > 0) {
      const text = `Fix these problems in \`${CONFIG_PATH}\` and ask again:\n\n${bulletList(errors.map(inlineCode))}`;
      await reporter.final(
        false,
        `Stopped: ${CONFIG_PATH} has ${errors.length} error${errors.length === 1 ? "" : "s"}`,
        text,
      );
      return { status: "config_error", summary: `invalid ${CONFIG_PATH}: ${errors.join("; ")}` };
    }
    reporter.state.maxSteps = config.budget.steps;
    workspaces.useConfig(config);
    // The newest trigger that named a model wins, then the repository's `model:`, then the default.
    const asked = [...job.triggers].reverse().find((t) => t.model !== undefined)?.model;
    const chosen = chooseModel(deps.env.model.choices, { command: asked, repo: config.model }, deps.env.model.name);
    if (!chosen.ok) {
      await reporter.final(false, "Stopped: the model asked for is not allowed", chosen.message);
      return { status: "config_error", summary: chosen.message };
    }
    const modelChoice = chosen.model;
    await run.update({ model: modelChoice.name });
    const model = deps.model(modelChoice);
    reporter.state.model = model.name;
    const identity = await deps.identity();
    return await work(
      {
        job,
        run,
        deps,
        log,
        octokit,
        repo,
        redactor,
        model,
        modelChoice,
        reporter,
        identity,
        token,
        workspaces,
        checks,
      },
      config,
      workspaces,
    );
  }
}

/**
 * The report of a job stopped by an error. A shutdown (or a lost lease) and a
 * Transient failure with attempts left rethrow: the queue resumes or retries
 * the job, which is not over. Everything else ends it, in words.
 */
async function endOnError(
  err: unknown,
  scope: Pick<JobScope, "job" | "run" | "log" | "redactor" | "reporter">,
): Promise<JobOutcome> {
  const { job, run, reporter } = scope;
  const aborted: unknown = run.signal.aborted ? run.signal.reason : undefined;
  if (aborted instanceof LeaseLost) throw err;
  if (aborted instanceof Transient) {
    await reporter
      .final(false, "Paused: the worker is restarting", "The job will resume from its last checkpoint.")
      .catch(() => undefined);
    throw err;
  }
  if (err instanceof Transient && !run.lastAttempt) throw err;
  // Whatever a cancelled job throws on its way out (an AbortError from fetch) is the cancel's doing.
  const cause = aborted instanceof Cancelled ? aborted : err;
  const ending = errorEnding(cause, job.attempts);
  const usage = reporter.state.usage;
  await reporter.final(false, ending.headline, errorDetails(cause, scope)).catch(() => undefined);
  return { status: ending.status, summary: ending.headline.replace(/^Stopped: /, ""), ...(usage ? { usage } : {}) };
}

function errorDetails(err: unknown, { job, log, redactor }: Pick<JobScope, "job" | "log" | "redactor">): string {
  if (err instanceof UserError) return bulletList(err.details);
  if (err instanceof Cancelled || err instanceof LimitReached) return "Nothing was changed.";
  const kept = keptWork(job);
  if (err instanceof Transient)
    return `${redactor.redact(errorMessage(err))}\n\nThe job was tried ${job.attempts} time${job.attempts === 1 ? "" : "s"}. ${kept}Ask again once the service is back.`;
  if (isKnownError(err) || (err instanceof Error && "kind" in err))
    return `${redactor.redact(errorMessage(err))}${kept ? `\n\n${kept}` : ""}`;
  log.error({ err }, "job failed with an unexpected error");
  return `issuesmith hit an unexpected error (${redactor.redact(errorMessage(err))}). The operator can find it in the logs under job \`${job.id}\`.${kept ? `\n\n${kept}` : ""}`;
}

/** Where an ended job's work in progress is kept, from its checkpoint ("" when none was pushed). */
export function keptWork(job: Pick<JobRecord, "checkpoint">): string {
  const cp = readCheckpoint(job.checkpoint);
  if (cp?.wipSha)
    return `The work so far is kept on branch \`${cp.wipBranch}\` (commit \`${cp.wipSha.slice(0, 7)}\`). `;
  // Several attempts: each kept its own.
  const kept = readAttemptCheckpoints(job.checkpoint).flatMap((a, i) =>
    a?.wipSha ? [`\`${a.wipBranch}\` (attempt ${i + 1}, commit \`${a.wipSha.slice(0, 7)}\`)`] : [],
  );
  return kept.length ? `The attempts' work so far is kept on ${kept.join(", ")}. ` : "";
}

/** Past the crash cap: the job is not run again, and the comment says why and where its work is. */
async function reportInterrupted(
  job: JobRecord,
  interrupt: NonNullable<JobRunContext["interrupt"]>,
  reporter: JobReporter,
): Promise<JobOutcome> {
  const times = `${interrupt.crashes} time${interrupt.crashes === 1 ? "" : "s"}`;
  const headline = `Stopped: this job crashed its worker ${times}`;
  const kept = keptWork(job) || "No work had been saved before the last crash. ";
  await reporter.final(
    false,
    headline,
    `The worker running this job died ${times} (killed, or out of memory), so it is not resumed again (the limit is ${interrupt.maxResumes} resume${interrupt.maxResumes === 1 ? "" : "s"}, \`AGENT_MAX_RESUMES\`). ${kept}The operator can find the crashes in the logs under job \`${job.id}\`. Ask again to start afresh.`,
  );
  return { status: "interrupted", summary: `its worker died ${times}; ${kept.trim()}` };
}

// A job's check runs (ARCHITECTURE.md §1 "Checks"): in progress on the commit
// it works on or pushed, completed with its outcome when the job ends. The
// progress comment stays the conversation; this is where reviewers look. A
// failure here is logged and never fails the job: the check is a view of the
// job, not a part of it.
import type { Logger } from "pino";
import type { RepoConfig } from "../config/repo-config.ts";
import { checkOutput, type CheckReport } from "../github/check-output.ts";
import {
  completeCheckRun,
  findCheckRun,
  startCheckRun,
  type CheckConclusion,
  type CheckOutput,
} from "../github/check-runs.ts";
import { statusOf, type Octokit, type RepoRef } from "../github/octokit.ts";
import type { Redactor } from "../security/redact.ts";
import type { LintRun, TestRun } from "../shared/evidence.ts";
import type { JobOutcome } from "../shared/job.ts";
import { checkConclusion } from "./job-end.ts";
import { lintBlocks } from "./report-text.ts";

interface OpenRun {
  sha: string;
  id: number;
}

/** What a run showed: a solve's result, or an update's test run of the merge. */
export interface RunEvidence {
  summary?: string | undefined;
  reason?: string | undefined;
  tests?: TestRun | undefined;
  testCommand?: string | undefined;
  lint?: LintRun | undefined;
}

interface CheckEvidence {
  summary: string | undefined;
  tests: TestRun | undefined;
  testCommand: string | undefined;
  lint: LintRun | undefined;
  lintBlocked: boolean;
}

export class JobChecks {
  readonly #octokit: Octokit;
  readonly #repo: RepoRef;
  readonly #jobId: string;
  readonly #number: number;
  readonly #followsPull: boolean;
  readonly #link: string | undefined;
  readonly #redactor: Redactor;
  readonly #log: Logger;
  #open: OpenRun[] = [];
  #evidence: CheckEvidence | undefined;
  /** Set when GitHub refused the Checks API outright (no permission): the job stops asking. */
  #refused: string | undefined;

  constructor(options: {
    octokit: Octokit;
    repo: RepoRef;
    jobId: string;
    /** The issue or pull request the job's progress comment is on. */
    number: number;
    /** A job that works on the pull request `number` (revise, update): its runs sit on its head. */
    followsPull: boolean;
    link: string | undefined;
    redactor: Redactor;
    log: Logger;
  }) {
    this.#octokit = options.octokit;
    this.#repo = options.repo;
    this.#jobId = options.jobId;
    this.#number = options.number;
    this.#followsPull = options.followsPull;
    this.#link = options.link;
    this.#redactor = options.redactor;
    this.#log = options.log;
  }

  /**
   * The job works on `sha` now (a pull request's head), or pushed it: its run
   * there is made in progress. A run of this job on an earlier commit ends
   * neutral, pointing at the new one, which carries the result.
   */
  async start(sha: string): Promise<void> {
    if (this.#refused || this.#open.some((r) => r.sha === sha)) return;
    await this.#call(`start the check run on ${sha.slice(0, 7)}`, async () => {
      const run = await startCheckRun(this.#octokit, this.#repo, {
        sha,
        externalId: this.#jobId,
        detailsUrl: this.#link,
        output: this.#output({
          title: "Working on it",
          summary: `issuesmith is working on this commit. The progress comment on #${this.#number} says what it is doing.`,
        }),
      });
      const earlier = this.#open;
      this.#open = [{ sha, id: run.id }];
      for (const old of earlier) {
        await this.#complete(old, "neutral", {
          title: `Superseded by ${sha.slice(0, 7)}`,
          summary: `This job went on to commit ${sha}; its check run there has the result.`,
        });
      }
    });
  }

  /** The evidence of the run the job publishes (with several attempts, the chosen one's), shown when it ends. */
  evidence(result: RunEvidence, config: Pick<RepoConfig, "lint_blocks">): void {
    this.#evidence = {
      summary: result.summary ?? result.reason,
      tests: result.tests,
      testCommand: result.testCommand,
      lint: result.lint,
      lintBlocked: lintBlocks(result.lint, config),
    };
  }

  /**
   * The job ended: its open run gets the conclusion the job-end table gives its
   * outcome. A job on a pull request that started none this time (ended early,
   * or ended `interrupted` after its worker died) may have left one in progress
   * on the head in an earlier attempt: that one is found and completed instead.
   */
  async complete(outcome: JobOutcome, headline: string): Promise<void> {
    const runs = this.#open.length > 0 ? this.#open : await this.#leftOnHead();
    this.#open = [];
    const e = this.#evidence;
    const conclusion = checkConclusion(
      outcome.status,
      e ? { testsPassed: e.tests?.passed === true, lintBlocked: e.lintBlocked } : undefined,
    );
    for (const run of runs) {
      await this.#complete(run, conclusion, {
        title: headline,
        summary: e?.summary?.trim() || outcome.summary,
        ...(e ? { evidence: { tests: e.tests, testCommand: e.testCommand, lint: e.lint } } : {}),
      });
    }
  }

  async #leftOnHead(): Promise<OpenRun[]> {
    if (!this.#followsPull || this.#refused) return [];
    const found = await this.#call("look for a check run an earlier attempt left", async () => {
      const { data: pull } = await this.#octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", {
        ...this.#repo,
        pull_number: this.#number,
      });
      const run = await findCheckRun(this.#octokit, this.#repo, pull.head.sha, this.#jobId);
      return run && run.status !== "completed" ? { sha: pull.head.sha, id: run.id } : undefined;
    });
    return found ? [found] : [];
  }

  async #complete(
    run: OpenRun,
    conclusion: CheckConclusion,
    report: Pick<CheckReport, "title" | "summary" | "evidence">,
  ): Promise<void> {
    if (this.#refused) return;
    await this.#call(`complete the check run on ${run.sha.slice(0, 7)}`, () =>
      completeCheckRun(this.#octokit, this.#repo, run.id, {
        conclusion,
        output: this.#output(report),
        detailsUrl: this.#link,
      }),
    );
  }

  #output(report: Pick<CheckReport, "title" | "summary" | "evidence">): CheckOutput {
    return checkOutput({
      ...report,
      jobId: this.#jobId,
      ...(this.#link ? { link: this.#link } : {}),
      redact: (t) => this.#redactor.redact(t),
    });
  }

  async #call<T>(what: string, call: () => Promise<T>): Promise<T | undefined> {
    try {
      return await call();
    } catch (err) {
      const status = statusOf(err);
      // 403: the installation has not granted `checks: write` (or a token that is not an app's); no use asking again.
      if (status === 403) this.#refused = what;
      this.#log.warn(
        { err: { message: err instanceof Error ? err.message : String(err), status } },
        `could not ${what}; the job goes on without it`,
      );
      return undefined;
    }
  }
}

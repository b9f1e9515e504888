// `/agent plan`: explore with read-only tools and reply with a plan (files,
// approach, risks, testing). Nothing is changed or pushed.
import type { JobOutcome, JobRecord, JobRunContext } from "../../shared/job.ts";
import { createRegistry, defaultTools } from "../../tools/registry.ts";
import type { JobDeps } from "../deps.ts";
import { changedInstructions, readRepoInstructions } from "../issue-context.ts";
import { startOnIssue } from "../issue-start.ts";
import { unfinishedEnding } from "../job-end.ts";
import { withJobScope } from "../job-scope.ts";
import { jobTask, solveBase } from "../solve-base.ts";
import { solve } from "../solve.ts";

const PLAN_TOOLS = new Set(["view", "search", "finish"]);
const planTools = createRegistry(defaultTools().filter((t) => PLAN_TOOLS.has(t.name)));

export async function runPlanJob(job: JobRecord, run: JobRunContext, deps: JobDeps): Promise<JobOutcome> {
  return withJobScope(job, run, deps, async (scope, config, workspaces) => {
    const { reporter } = scope;
    const {
      issue,
      clone: { workspace, git },
    } = await startOnIssue(scope, config, workspaces);
    // The base's instructions are trusted; a pull request's own, when it changes them, are data (ARCHITECTURE.md §6).
    const repoInstructions = await readRepoInstructions(workspace.repoDir);
    // A plan on a pull request is about the PR's code, forks included.
    if (job.target.isPullRequest) await git.checkoutRef(`refs/pull/${job.target.number}/head`);
    const branchInstructions = changedInstructions(repoInstructions, await readRepoInstructions(workspace.repoDir));
    await reporter.phase("plan");
    const result = await solve({
      ...solveBase(scope, config, workspace, planTools),
      mode: "plan",
      steps: { verify: false, skipSetup: true },
      task: {
        ...jobTask(scope, config, issue, repoInstructions),
        ...(branchInstructions ? { branchInstructions } : {}),
      },
      hooks: {
        onEvent: async (e) => {
          // Planning shows as one phase; the loop's own "edit" phase is not news here.
          if (e.type !== "phase") await reporter.event(e);
        },
        onCheckpoint: (state) => reporter.usage(state.usage),
      },
    });
    reporter.usage(result.usage);
    // A plan is what the model finished with: finishing with none is the model failing the task.
    const ending =
      unfinishedEnding(result) ??
      (result.summary?.trim()
        ? undefined
        : { status: "error" as const, headline: "Stopped: the model finished without a plan" });
    if (ending) {
      await reporter.final(false, ending.headline, `${result.reason ?? ""}\n\n${reporter.triedText()}`);
      return { status: ending.status, summary: ending.headline, usage: result.usage };
    }
    await reporter.final(
      true,
      "Plan",
      `${(result.summary ?? "").trim()}\n\n_Nothing was changed. Reply \`${config.command} fix\` to carry it out, with corrections as free text._`,
    );
    return { status: "plan_posted", summary: "plan posted", usage: result.usage };
  });
}

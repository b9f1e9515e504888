// `ci_fix: true`: a failed check run on one of the app's own pull requests
// starts a revision with the check's output, at most `ci_fix_rounds` times
// per PR. The repository opted in, so the sender (usually a CI bot) needs no
// permission of its own; failures of several checks on one commit coalesce
// into one queued revision. The app's own "issuesmith" runs are not CI: they
// are ignored.
import type { Probot } from "probot";
import { z } from "zod";
import { isAppLogin } from "../github/bots.ts";
import { checkSpendCaps } from "../jobs/spend.ts";
import { truncateMiddle } from "../shared/truncate.ts";
import { targetKey } from "../shared/job.ts";
import type { DeliveryResult, HandlerDeps } from "./deps.ts";
import { installationSchema, parsePayload, repositorySchema } from "./payloads.ts";
import { guarded } from "./trigger.ts";

const FAILED = new Set(["failure", "timed_out"]);

const checkRunSchema = z.object({
  installation: installationSchema,
  repository: repositorySchema,
  check_run: z.object({
    name: z.string(),
    conclusion: z.string().nullable(),
    head_sha: z.string(),
    app: z.object({ slug: z.string().optional() }).nullable().optional(),
    html_url: z.string().nullable().optional(),
    output: z
      .object({
        title: z.string().nullable().optional(),
        summary: z.string().nullable().optional(),
        text: z.string().nullable().optional(),
      })
      .optional(),
    pull_requests: z.array(z.object({ number: z.number().int().positive(), head: z.object({ ref: z.string() }) })),
  }),
});

export function registerCheckHandlers(app: Probot, deps: HandlerDeps): void {
  app.on("check_run.completed", (context) =>
    guarded(deps, "check_run.completed", context.id, async (): Promise<DeliveryResult | "malformed"> => {
      const p = parsePayload(checkRunSchema, context.payload);
      if (!p) return "malformed";
      const run = p.check_run;
      if (!run.conclusion || !FAILED.has(run.conclusion) || run.pull_requests.length === 0) return "ignored";
      const { slug } = await deps.identity();
      // Our own check run reports a job that already ended: revising on it would loop.
      if (run.app?.slug === slug) return "ignored";
      const repo = { owner: p.repository.owner.login, repo: p.repository.name };
      const { config } = await deps.lookups.config(context.octokit, repo);
      if (!config.ci_fix) return "ignored";
      let result: DeliveryResult = "ignored";
      for (const pr of run.pull_requests) {
        if (!pr.head.ref.startsWith(config.branch_prefix)) continue;
        const { data: pull } = await context.octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", {
          ...repo,
          pull_number: pr.number,
        });
        if (!isAppLogin(pull.user?.login, slug) || pull.state !== "open") continue;
        // Only a check of the PR's current head is worth fixing.
        if (pull.head.sha !== run.head_sha) continue;
        const target = { ...repo, number: pr.number, isPullRequest: true };
        const jobs = await deps.queue.list({ key: targetKey(target), limit: 200 });
        const rounds = jobs.filter((j) => j.triggers.some((t) => t.event === "check_run.completed")).length;
        if (rounds >= config.ci_fix_rounds) {
          deps.log.info({ pull: pr.number, rounds }, "ci_fix: no rounds left for this pull request");
          continue;
        }
        const capped = await checkSpendCaps(deps.queue, deps.spendCaps, {
          installationId: p.installation.id,
          repo: `${repo.owner}/${repo.repo}`,
          budgetUsd: config.budget.cost_usd,
        });
        if (capped) {
          deps.log.info(
            { pull: pr.number, scope: capped.scope, window: capped.window },
            `ci_fix: not started: ${capped.message}`,
          );
          continue;
        }
        const out = run.output;
        const text = [
          `The check "${run.name}" failed (${run.conclusion}) on ${run.head_sha.slice(0, 7)}${run.html_url ? ` — ${run.html_url}` : ""}. Fix what it reports.`,
          out?.title ?? "",
          truncateMiddle([out?.summary ?? "", out?.text ?? ""].filter(Boolean).join("\n\n"), 8_000),
        ]
          .filter(Boolean)
          .join("\n\n");
        const enq = await deps.queue.enqueue({
          kind: "revise",
          installationId: p.installation.id,
          target,
          trigger: {
            deliveryId: `${context.id}:${pr.number}`,
            event: "check_run.completed",
            actor: "ci",
            text,
            at: new Date().toISOString(),
          },
        });
        if (enq.status === "enqueued") deps.acknowledge(enq.job, context.octokit);
        result = enq.status === "enqueued" ? "enqueued" : enq.status;
      }
      return result;
    }),
  );
}

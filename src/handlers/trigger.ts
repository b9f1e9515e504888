// The shared decision of every trigger: is the sender a person allowed to ask,
// what did they ask, and which job does that make. Quick: a few GETs, then
// enqueue; acknowledging and all real work happen in the worker.
import type { Logger } from "pino";
import { parseAttemptsFlag, type RepoConfig } from "../config/repo-config.ts";
import { isAppLogin, isBot, type Sender } from "../github/bots.ts";
import { helpText } from "../github/help-text.ts";
import type { Octokit, RepoRef } from "../github/octokit.ts";
import type { Command } from "../github/triggers.ts";
import { targetKey, type JobKind, type JobTarget, type NewJob, type TriggerInfo } from "../shared/job.ts";
import { chooseModel } from "../config/models.ts";
import { checkSpendCaps } from "../jobs/spend.ts";
import type { DeliveryResult, HandlerDeps } from "./deps.ts";

export interface TriggerInput {
  deliveryId: string;
  event: string;
  octokit: Octokit;
  installationId: number | undefined;
  repo: RepoRef;
  sender: Sender | null | undefined;
  target: JobTarget;
  /** The issue or PR is closed (as the payload says): a closed PR is never revised until reopened. */
  closed?: boolean;
  /** A label or a command; `decide` is given the repo config to interpret it. */
  decide(config: RepoConfig): Command | undefined;
  comment?: { id: number; kind: NonNullable<TriggerInfo["commentKind"]> };
}

/**
 * Runs a handler body and counts the delivery. A malformed payload is
 * ignored (2xx) with a warning. Other failures (GitHub unreachable) are
 * logged and re-thrown, so the delivery shows as failed and can be redelivered.
 */
export async function guarded(
  deps: HandlerDeps,
  event: string,
  deliveryId: string,
  body: () => Promise<DeliveryResult | "malformed">,
): Promise<void> {
  try {
    const result = await body();
    if (result === "malformed") {
      deps.log.warn({ event, delivery: deliveryId }, "ignored a malformed webhook payload");
      deps.countDelivery(event, "ignored");
      return;
    }
    deps.countDelivery(event, result);
  } catch (err) {
    deps.countDelivery(event, "error");
    deps.log.error({ err, event, delivery: deliveryId }, "webhook handler failed");
    throw err;
  }
}

export async function handleTrigger(input: TriggerInput, deps: HandlerDeps): Promise<DeliveryResult> {
  const log = deps.log.child({
    delivery: input.deliveryId,
    event: input.event,
    repo: `${input.repo.owner}/${input.repo.repo}`,
    issue: input.target.number,
  });
  if (input.installationId === undefined) return "ignored";
  const { slug } = await deps.identity();
  if (isBot(input.sender, slug) || !input.sender) return "ignored";

  const { config, errors } = await deps.lookups.config(input.octokit, input.repo);
  const command = input.decide(config);
  if (!command) return "ignored";

  const trigger: TriggerInfo = {
    deliveryId: input.deliveryId,
    event: input.event,
    actor: input.sender.login,
    at: new Date().toISOString(),
    ...(command.text ? { text: command.text } : {}),
    ...("model" in command && command.model !== undefined ? { model: command.model } : {}),
    ...(input.comment ? { commentId: input.comment.id, commentKind: input.comment.kind } : {}),
  };
  const base = { installationId: input.installationId, target: input.target, trigger };
  const reply = (text: string) => enqueue(deps, input.octokit, { ...base, kind: "reply", reply: text }, log, "replied");
  const modelRefusal = (asked = trigger.model) => {
    const chosen = chooseModel(deps.models.choices, { command: asked, repo: config.model }, deps.models.defaultName);
    return chosen.ok ? undefined : chosen.message;
  };
  const overCap = async () => {
    const refusal = await checkSpendCaps(deps.queue, deps.spendCaps, {
      installationId: base.installationId,
      repo: `${input.repo.owner}/${input.repo.repo}`,
      budgetUsd: config.budget.cost_usd,
    });
    if (refusal)
      log.info(
        {
          scope: refusal.scope,
          window: refusal.window,
          measure: refusal.measure,
          used: refusal.used,
          limit: refusal.limit,
        },
        "trigger refused: spend cap",
      );
    return refusal;
  };

  const auth = await deps.lookups.authorize(input.octokit, input.repo, input.sender.login, config);
  if (!auth.allowed) {
    log.info({ actor: input.sender.login, permission: auth.permission }, "trigger refused: not enough permission");
    await reply(
      `Sorry @${input.sender.login}, I can only act for people who may change this repository: ${auth.reason}. A maintainer can ask on your behalf.`,
    );
    return "refused";
  }

  switch (command.verb) {
    case "unknown":
      return reply(helpText(config, { unknownVerb: command.word, configErrors: errors }));
    case "help":
      return reply(helpText(config, { configErrors: errors }));
    case "stop": {
      const why = `stopped by @${input.sender.login}`;
      const stopped = await deps.queue.cancel({ key: targetKey(input.target) }, why);
      if (stopped.length === 0) return reply("Nothing is running or queued here, so there is nothing to stop.");
      log.info({ jobs: stopped.map((j) => j.id) }, "cancel requested");
      for (const j of stopped) if (j.state === "cancelled") deps.cancelledBeforeStart(j, input.octokit, why);
      const running = stopped.filter((j) => j.state === "running").length;
      await reply(
        running > 0
          ? "Stopping — the job will report what it kept in its progress comment."
          : `Cancelled ${stopped.length} queued job${stopped.length === 1 ? "" : "s"}.`,
      );
      return "cancelled";
    }
    case "retry": {
      const last = (await deps.queue.list({ key: targetKey(input.target), limit: 20 })).find((j) => j.kind !== "reply");
      if (!last) return reply(`There is no earlier job here to retry. Use \`${config.command} fix\`.`);
      // The words and the model of the run it repeats, unless given again.
      const again: TriggerInfo = { ...trigger };
      if (again.text === undefined && last.trigger.text !== undefined) again.text = last.trigger.text;
      if (again.model === undefined && last.trigger.model !== undefined) again.model = last.trigger.model;
      if ("attempts" in command && command.attempts !== undefined) {
        const asked = parseAttemptsFlag(command.attempts);
        if (!asked.ok) return reply(asked.message);
        if (last.kind === "fix") again.attempts = asked.attempts;
      } else if (last.trigger.attempts !== undefined) again.attempts = last.trigger.attempts;
      const badModel = modelRefusal(again.model);
      if (badModel) return reply(badModel);
      const capped = await overCap();
      if (capped) return reply(capped.message);
      return enqueue(deps, input.octokit, { ...base, kind: last.kind, trigger: again } as NewJob, log);
    }
    case "update": {
      if ("attempts" in command && command.attempts !== undefined)
        return reply(`\`--attempts\` applies to \`${config.command} fix\` on an issue only.`);
      const refusal = await updateRefusal(input, slug, config.command);
      if (refusal) return reply(refusal);
      const badModel = modelRefusal();
      if (badModel) return reply(badModel);
      const capped = await overCap();
      if (capped) return reply(capped.message);
      return enqueue(deps, input.octokit, { ...base, kind: "update" }, log);
    }
    case "fix":
    case "plan": {
      const kind: JobKind = command.verb === "plan" ? "plan" : input.target.isPullRequest ? "revise" : "fix";
      if (kind === "revise" && input.closed)
        return reply("This pull request is closed, so I will not change it. Reopen it and ask again.");
      if ("attempts" in command && command.attempts !== undefined) {
        if (kind !== "fix")
          return reply(
            `\`--attempts\` applies to \`${config.command} fix\` on an issue only (several attempts, the tests pick the pull request).`,
          );
        const asked = parseAttemptsFlag(command.attempts);
        if (!asked.ok) return reply(asked.message);
        trigger.attempts = asked.attempts;
      }
      const badModel = modelRefusal();
      if (badModel) return reply(badModel);
      const capped = await overCap();
      if (capped) return reply(capped.message);
      return enqueue(deps, input.octokit, { ...base, kind }, log);
    }
  }
}

/** `/agent update` is for the app's own open pull request: anything else gets a reply saying why. */
async function updateRefusal(input: TriggerInput, slug: string, command: string): Promise<string | undefined> {
  if (!input.target.isPullRequest)
    return `\`${command} update\` brings a pull request's branch up to date with its base; this is an issue, so there is no branch to update. Use it on one of my pull requests.`;
  if (input.closed) return "This pull request is closed, so I will not change it. Reopen it and ask again.";
  const { data: pr } = await input.octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", {
    ...input.repo,
    pull_number: input.target.number,
  });
  const fork = pr.head.repo?.full_name.toLowerCase() !== pr.base.repo.full_name.toLowerCase();
  if (isAppLogin(pr.user?.login, slug) && !fork) return undefined;
  return `This pull request was opened by @${pr.user?.login ?? "someone else"}, not by me, so I do not merge \`${pr.base.ref}\` into its branch: that is its author's choice (merge or rebase). \`${command} fix …\` still works here.`;
}

async function enqueue(
  deps: HandlerDeps,
  octokit: Octokit,
  job: NewJob,
  log: Logger,
  okResult: DeliveryResult = "enqueued",
): Promise<DeliveryResult> {
  const result = await deps.queue.enqueue(job);
  log.info({ job: result.job.id, kind: job.kind, status: result.status }, "trigger accepted");
  if (result.status === "enqueued" && job.kind !== "reply") deps.acknowledge(result.job, octokit);
  return result.status === "enqueued" ? okResult : result.status;
}

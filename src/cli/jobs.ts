// `issuesmith jobs list [--state s] [--limit n] | show <id> | cancel <id> | usage`:
// operators reading and steering the same store the app uses.
// Exit codes: 0 done, 1 no such job (or nothing to cancel), 2 bad arguments.
import { parseArgs } from "node:util";
import type { JobQueue, JobRecord, JobState } from "../shared/job.ts";
import { printUsage, USAGE_HELP } from "./jobs-usage.ts";

export interface JobsCommandDeps {
  queue: JobQueue;
  out: (line: string) => void;
}

const STATES: readonly JobState[] = ["queued", "running", "succeeded", "failed", "cancelled", "interrupted"];
const USAGE = `usage: issuesmith jobs list [--state <state>[,<state>…]] [--limit <n>] | show <id> | cancel <id> | ${USAGE_HELP}`;

class BadArgs extends Error {}

export async function runJobsCommand(args: string[], deps: JobsCommandDeps): Promise<number> {
  const [sub, ...rest] = args;
  try {
    switch (sub) {
      case "list":
        return await list(rest, deps);
      case "show":
        return await show(oneId("show", rest), deps);
      case "cancel":
        return await cancel(oneId("cancel", rest), deps);
      case "usage": {
        const problem = await printUsage(rest, deps.queue, deps.out);
        if (problem) throw new BadArgs(`${problem}; ${USAGE}`);
        return 0;
      }
      case "help":
      case "--help":
      case "-h":
        deps.out(USAGE);
        return 0;
      case undefined:
        throw new BadArgs(`a subcommand is needed (${USAGE.replace("usage: ", "")})`);
      default:
        throw new BadArgs(`unknown subcommand ${JSON.stringify(sub)}; ${USAGE}`);
    }
  } catch (error) {
    if (error instanceof BadArgs) {
      deps.out(`issuesmith jobs: ${error.message}`);
      return 2;
    }
    throw error;
  }
}

async function list(args: string[], { queue, out }: JobsCommandDeps): Promise<number> {
  let values: { state?: string; limit?: string };
  try {
    ({ values } = parseArgs({
      args,
      options: { state: { type: "string" }, limit: { type: "string" } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new BadArgs(`${(error as Error).message.split("\n")[0]}; ${USAGE}`);
  }
  const states = values.state?.split(",").map((s) => s.trim());
  for (const s of states ?? []) {
    if (!STATES.includes(s as JobState))
      throw new BadArgs(`unknown state ${JSON.stringify(s)}: use one of ${STATES.join(", ")}`);
  }
  const limit = values.limit === undefined ? 20 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1)
    throw new BadArgs(`--limit must be a positive whole number (got ${JSON.stringify(values.limit)})`);

  const jobs = await queue.list({ states: states as JobState[] | undefined, limit });
  if (jobs.length === 0) {
    out(states ? `no ${states.join(" or ")} jobs` : "no jobs");
    return 0;
  }
  const rows = jobs.map((j) => [
    j.id,
    j.state,
    j.kind,
    target(j),
    j.phase ?? "-",
    String(j.attempts),
    age(j.createdAt),
    summary(j),
  ]);
  for (const line of table(["ID", "STATE", "KIND", "TARGET", "PHASE", "TRIES", "AGE", "OUTCOME"], rows)) out(line);
  return 0;
}

async function show(id: string, { queue, out }: JobsCommandDeps): Promise<number> {
  const job = await queue.get(id);
  if (!job) {
    out(`no job ${id}`);
    return 1;
  }
  const position = job.state === "queued" ? await queue.position(job.id) : undefined;
  const field = (name: string, value: string | number | undefined) => {
    if (value !== undefined && value !== "") out(`${`${name}:`.padEnd(12)} ${value}`);
  };
  field("id", job.id);
  field(
    "state",
    `${job.state}${position ? ` (#${position} in the queue)` : ""}${job.cancelRequested && job.state === "running" ? " (cancel requested)" : ""}`,
  );
  field("cancelled", job.cancelReason);
  field("kind", job.kind);
  field("model", job.model);
  field("target", `${target(job)}${job.target.isPullRequest ? " (pull request)" : ""}`);
  field("installation", job.installationId);
  field("phase", job.phase);
  field("attempts", job.attempts);
  field("created", job.createdAt);
  field("started", job.startedAt);
  field("finished", job.finishedAt);
  field("progress", job.progressCommentId !== undefined ? `comment ${job.progressCommentId}` : undefined);
  if (job.checkpoint)
    field("checkpoint", `${Object.keys(job.checkpoint).join(", ")} (${JSON.stringify(job.checkpoint).length} bytes)`);
  if (job.outcome) {
    field("outcome", `${job.outcome.status}: ${job.outcome.summary}`);
    field("pr", job.outcome.prUrl ?? (job.outcome.prNumber !== undefined ? `#${job.outcome.prNumber}` : undefined));
    const u = job.outcome.usage;
    if (u)
      field(
        "usage",
        `${u.steps} steps, ${u.inputTokens} tokens in, ${u.outputTokens} out, $${u.costUsd.toFixed(4)}, ${Math.round(u.wallMs / 1000)} s`,
      );
  }
  out(`triggers:`);
  for (const t of job.triggers) {
    out(`  ${t.at}  ${t.event} by ${t.actor} (delivery ${t.deliveryId})${t.text ? `: ${oneLine(t.text, 80)}` : ""}`);
  }
  return 0;
}

async function cancel(id: string, { queue, out }: JobsCommandDeps): Promise<number> {
  const [job] = await queue.cancel({ id }, "from the command line (`issuesmith jobs cancel`)");
  if (!job) {
    const existing = await queue.get(id);
    out(existing ? `job ${id} already ended (${existing.state}); nothing to cancel` : `no job ${id}`);
    return 1;
  }
  out(job.state === "cancelled" ? `cancelled ${id}` : `cancel requested for ${id}: its worker stops it within seconds`);
  return 0;
}

function oneId(sub: string, args: string[]): string {
  if (args.length !== 1 || !args[0] || args[0].startsWith("-"))
    throw new BadArgs(`${sub} takes one job id (issuesmith jobs ${sub} <id>)`);
  return args[0];
}

function target(j: JobRecord): string {
  return `${j.target.owner}/${j.target.repo}#${j.target.number}`;
}

/** The outcome, or that a cancel is pending; a cancel's reason first, before the cut. */
function summary(j: JobRecord): string {
  const why = j.cancelReason ? ` (${j.cancelReason})` : "";
  if (j.outcome)
    return oneLine(`${j.outcome.status}${j.outcome.status === "cancelled" ? why : ""}: ${j.outcome.summary}`, 60);
  return j.cancelRequested ? oneLine(`cancel requested${why}`, 60) : "";
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function age(iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const fmt = (r: string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [fmt(header), ...rows.map(fmt)];
}

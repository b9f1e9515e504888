// `issuesmith show <trajectory.json>`: a trajectory (from `run --trajectory`,
// `eval`, or the job page's JSON export) printed readably in a terminal.
// `--job <id>` reads a job's trajectory from the app's own store instead.
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { loadEnv } from "../config/env.ts";
import { UserError } from "../errors.ts";
import type { Trajectory } from "../run/trajectory.ts";
import { assembleTrajectory } from "../trajectory/assemble.ts";
import { renderForTerminal } from "../trajectory/terminal.ts";
import { isTrajectoryLog } from "../trajectory/wiring.ts";

export const SHOW_USAGE = `usage: issuesmith show <trajectory.json> [--full] [--json]
       issuesmith show --job <id> [--full] [--json]

  --full    whole tool results and the whole diff (default: their first lines)
  --json    print the trajectory as JSON (with --job: export it from the job store)
  --job     read a job's trajectory from the app's store (AGENT_QUEUE, AGENT_DATA_DIR)`;

interface Io {
  out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  err: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

export async function showCommand(argv: string[], io: Io): Promise<number> {
  let values: { full?: boolean; json?: boolean; job?: string; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: {
        full: { type: "boolean" },
        json: { type: "boolean" },
        job: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: true,
    }));
  } catch (err) {
    io.err.write(`issuesmith show: ${(err as Error).message.split("\n")[0]}\n${SHOW_USAGE.split("\n")[0]}\n`);
    return 2;
  }
  if (values.help) {
    io.out.write(`${SHOW_USAGE}\n`);
    return 0;
  }
  const usage = (message: string) => {
    io.err.write(`issuesmith show: ${message}\n`);
    return 2;
  };
  if (values.job !== undefined && positionals.length > 0)
    return usage("give a trajectory file or --job <id>, not both");
  if (values.job === undefined && positionals.length !== 1)
    return usage(
      positionals.length === 0
        ? "a trajectory file is needed (issuesmith show <trajectory.json>)"
        : "one trajectory file at a time",
    );

  let trajectory: Trajectory;
  if (values.job !== undefined) {
    const read = await fromStore(values.job, io);
    if (typeof read === "number") return read;
    trajectory = read;
  } else {
    const file = positionals[0]!;
    const text = await readFile(file, "utf8").catch(
      (err: NodeJS.ErrnoException) => new Error(err.code === "ENOENT" ? "no such file" : err.message),
    );
    if (text instanceof Error) return usage(`cannot read ${file}: ${text.message}`);
    const parsed = parseTrajectory(text);
    if (typeof parsed === "string") return usage(`${file} ${parsed}`);
    trajectory = parsed;
  }
  if (values.json) {
    io.out.write(`${JSON.stringify(trajectory, null, 2)}\n`);
    return 0;
  }
  const color = Boolean(io.out.isTTY) && !io.env.NO_COLOR;
  io.out.write(renderForTerminal(trajectory, { color, full: Boolean(values.full), width: io.out.columns || 120 }));
  return 0;
}

/** The trajectory in `text`, or what is wrong with it. */
export function parseTrajectory(text: string): Trajectory | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return "is not JSON";
  }
  const t = value as Partial<Trajectory> | null;
  if (
    !t ||
    typeof t !== "object" ||
    t.version !== 1 ||
    !Array.isArray(t.entries) ||
    typeof t.task !== "object" ||
    t.task === null
  ) {
    return "is not an issuesmith trajectory (expected version 1 with task and entries)";
  }
  const task = t.task as Partial<Trajectory["task"]>;
  return {
    ...t,
    task: { source: task.source ?? "", title: task.title ?? "", body: task.body ?? "" },
    model: t.model ?? "",
    startedAt: t.startedAt ?? "",
  } as Trajectory;
}

async function fromStore(jobId: string, io: Io): Promise<Trajectory | number> {
  let env;
  try {
    env = loadEnv(io.env);
  } catch (err) {
    if (err instanceof UserError) {
      io.err.write(`issuesmith show: ${err.message}: ${err.details.join("; ")}\n`);
      return 3;
    }
    throw err;
  }
  const { createQueue } = await import("../jobs/create-queue.ts");
  const queue = await createQueue(env);
  try {
    const [job, records] = await Promise.all([
      queue.get(jobId),
      isTrajectoryLog(queue) ? queue.readTrajectory(jobId) : Promise.resolve([]),
    ]);
    if (!job && records.length === 0) {
      io.err.write(`issuesmith show: no job ${jobId} in the ${queue.backend} store\n`);
      return 1;
    }
    return assembleTrajectory(jobId, records, job);
  } finally {
    await queue.close();
  }
}

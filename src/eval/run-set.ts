// A task set run: a pool of `concurrency` tasks at a time, each result
// appended to results.jsonl the moment it ends (so an interrupt loses no
// finished task), the Markdown report rewritten as results come, and
// `resume` skipping every task results.jsonl already holds.
import { appendFile, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { Cancelled, UserError } from "../errors.ts";
import { renderReport } from "./report.ts";
import { runTaskAttempts } from "./attempts.ts";
import type { TaskResult, TaskRunDeps } from "./run-task.ts";
import type { EvalTask } from "./task.ts";

export const RESULTS_FILE = "results.jsonl";
export const REPORT_FILE = "report.md";

export interface EvalRunOptions {
  tasks: EvalTask[];
  tasksFile: string;
  outDir: string;
  concurrency: number;
  resume: boolean;
  /** Independent attempts per task, chosen as the app chooses (attempts.ts); default 1. */
  attempts?: number;
  /** Everything runTask needs except where to write (outDir is this run's). */
  deps: Omit<TaskRunDeps, "outDir">;
  /** The model's name for the report. */
  modelName: string;
  onStart?: (task: EvalTask) => void;
  onResult?: (result: TaskResult) => void;
}

export interface EvalRunResult {
  /** Every result in results.jsonl, earlier runs' included, in task order. */
  results: TaskResult[];
  /** Results of this run only. */
  fresh: TaskResult[];
  /** Tasks skipped because results.jsonl already had them. */
  skipped: number;
  interrupted: boolean;
  reportFile: string;
  resultsFile: string;
}

/** Results already in an output directory; a torn last line (a crash mid-write) is ignored. */
export async function readResults(outDir: string): Promise<TaskResult[]> {
  const text = await readFile(path.join(outDir, RESULTS_FILE), "utf8").catch(() => "");
  const out: TaskResult[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as TaskResult;
      if (typeof r.id === "string" && typeof r.resolved === "boolean") out.push(r);
    } catch {
      // Torn line: that task runs again on resume.
    }
  }
  return out;
}

export async function runEval(options: EvalRunOptions): Promise<EvalRunResult> {
  const { outDir } = options;
  const resultsFile = path.join(outDir, RESULTS_FILE);
  const reportFile = path.join(outDir, REPORT_FILE);
  const previous = await readResults(outDir);
  const hasResults = ((await stat(resultsFile).catch(() => undefined))?.size ?? 0) > 0;
  if (hasResults && !options.resume) {
    throw new UserError(
      `${resultsFile} already holds results: pass --resume to continue that run, or --out <dir> for a new one`,
    );
  }
  await mkdir(path.join(outDir, "trajectories"), { recursive: true });
  const known = new Map(previous.map((r) => [r.id, r]));
  const todo = options.tasks.filter((t) => !known.has(t.id));
  const fresh: TaskResult[] = [];
  let interrupted = false;

  const all = () => {
    const byId = new Map([...known, ...fresh.map((r) => [r.id, r] as const)]);
    return options.tasks.map((t) => byId.get(t.id)).filter((r): r is TaskResult => r !== undefined);
  };
  const writeReport = () =>
    writeFile(
      reportFile,
      renderReport({
        tasksFile: options.tasksFile,
        tasks: options.tasks,
        results: all(),
        model: options.modelName,
        attempts: options.attempts ?? 1,
        interrupted: interrupted || all().length < options.tasks.length,
      }),
    );
  // One append at a time, whole lines only.
  let appending = Promise.resolve();
  const record = (r: TaskResult) => {
    appending = appending.then(() => appendFile(resultsFile, `${JSON.stringify(r)}\n`)).then(writeReport);
    return appending;
  };

  let next = 0;
  const worker = async () => {
    while (next < todo.length && !options.deps.signal.aborted) {
      const task = todo[next++]!;
      options.onStart?.(task);
      let result: TaskResult;
      try {
        result = await runTaskAttempts(task, { ...options.deps, outDir }, options.attempts ?? 1);
      } catch (err) {
        if (err instanceof Cancelled) {
          interrupted = true;
          return;
        }
        throw err;
      }
      fresh.push(result);
      await record(result);
      options.onResult?.(result);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, Math.max(todo.length, 1)) }, worker));
  if (options.deps.signal.aborted) interrupted = true;
  await appending;
  await writeReport();
  return { results: all(), fresh, skipped: options.tasks.length - todo.length, interrupted, reportFile, resultsFile };
}

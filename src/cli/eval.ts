// `issuesmith eval <tasks.jsonl>`: score the agent on a task set. Each task
// runs the app's own pipeline in its own temp dir; results.jsonl and a
// Markdown report land in --out. Exit 0 when every task resolved, 1 when
// some did not, 2 bad usage, 3 bad configuration, 130 interrupted.
import path from "node:path";
import { parseArgs } from "node:util";
import { envSecrets, loadEnv, type AppEnv } from "../config/env.ts";
import { DEFAULT_REPO_CONFIG, parseAttemptsFlag, type RepoConfig } from "../config/repo-config.ts";
import { Cancelled, UserError } from "../errors.ts";
import { isHarnessFailure } from "../eval/harness.ts";
import { EvalProgress } from "../eval/progress.ts";
import { ReferenceModel, referenceEdits } from "../eval/reference.ts";
import { REPORT_FILE, readResults, runEval } from "../eval/run-set.ts";
import { loadTasks, type EvalTask } from "../eval/task.ts";
import { OpenAIChatModel, chatModelOptions } from "../llm/chat-model.ts";
import type { ChatModel } from "../llm/types.ts";
import { createLogger } from "../logger.ts";
import { describeCall } from "../run/reporter.ts";
import { Redactor } from "../security/redact.ts";
import { createRegistry, defaultTools } from "../tools/registry.ts";
import { createRunner } from "../workspace/sandbox.ts";

export const EVAL_USAGE = `usage: issuesmith eval <tasks.jsonl> [options]

  --concurrency <n>   tasks at a time (default 1)
  --attempts <n>      independent attempts per task, run side by side (1 to 5, default 1): the app's own test
                      run (the task's command, without the hidden tests) picks one, as the app picks a PR;
                      the hidden tests score it, and every attempt's cost counts
  --out <dir>         where results.jsonl, report.md and trajectories/ go (default eval-out/<tasks name>)
  --resume            continue a run in --out: tasks with a result are skipped
  --reference         no model: apply each task's reference fix through the agent's tools (checks the harness and the tasks)
  --task <id>         run only this task (repeatable)
  --max-steps <n>     override budget.steps for every task
  --sandbox <mode>    auto | bwrap | none (default AGENT_SANDBOX or auto)

The model comes from OPENAI_BASE_URL, OPENAI_API_KEY and AGENT_MODEL (not needed with --reference).
A task line: {"id", "repo", "base_commit"?, "problem_statement" | "problem_statement_file", "test_command",
"test_patch" | "test_patch_file", "reference_patch" | "reference_patch_file"?, "fail_to_pass"?, "pass_to_pass"?, "setup"?, "setup_network"?}
A failed clone, setup or hidden-test patch is the harness's failure (clone_error, setup_error, harness_error),
and a model endpoint that refuses the key, lacks the model or stays down is model_unavailable: counted apart
and left out of the resolve rate.
Exit codes: 0 all resolved · 1 some not resolved (or not scored) · 2 bad usage or tasks file · 3 bad configuration · 130 interrupted (Ctrl-C).`;

interface Io {
  out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  err: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

export async function evalCommand(argv: string[], io: Io): Promise<number> {
  let values: {
    concurrency?: string;
    attempts?: string;
    out?: string;
    resume?: boolean;
    reference?: boolean;
    task?: string[];
    "max-steps"?: string;
    sandbox?: string;
    help?: boolean;
  };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: {
        concurrency: { type: "string" },
        attempts: { type: "string" },
        out: { type: "string" },
        resume: { type: "boolean" },
        reference: { type: "boolean" },
        task: { type: "string", multiple: true },
        "max-steps": { type: "string" },
        sandbox: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: true,
    }));
  } catch (err) {
    io.err.write(`issuesmith eval: ${(err as Error).message.split("\n")[0]}\n${EVAL_USAGE.split("\n")[0]}\n`);
    return 2;
  }
  if (values.help) {
    io.out.write(`${EVAL_USAGE}\n`);
    return 0;
  }
  const usage = (message: string) => {
    io.err.write(`issuesmith eval: ${message}\n`);
    return 2;
  };
  if (positionals.length !== 1)
    return usage(
      positionals.length === 0
        ? "a tasks file is needed (issuesmith eval <tasks.jsonl>)"
        : `one tasks file at a time (got ${positionals.length})`,
    );
  const concurrency = values.concurrency === undefined ? 1 : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
    return usage(`--concurrency must be a whole number from 1 to 64 (got ${values.concurrency})`);
  const attempts =
    values.attempts === undefined ? { ok: true as const, attempts: 1 } : parseAttemptsFlag(values.attempts);
  if (!attempts.ok) return usage(attempts.message);
  const maxSteps = values["max-steps"] === undefined ? undefined : Number(values["max-steps"]);
  if (maxSteps !== undefined && (!Number.isInteger(maxSteps) || maxSteps < 1))
    return usage(`--max-steps must be a positive whole number (got ${values["max-steps"]})`);
  if (values.sandbox && !["auto", "bwrap", "none"].includes(values.sandbox))
    return usage(`--sandbox must be auto, bwrap or none (got ${values.sandbox})`);

  const tasksFile = positionals[0]!;
  let tasks: EvalTask[];
  try {
    tasks = await loadTasks(tasksFile);
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    io.err.write(`issuesmith eval: ${err.message}\n${err.details.map((d) => `  ${d}\n`).join("")}`);
    return 2;
  }
  if (values.task?.length) {
    const unknown = values.task.filter((id) => !tasks.some((t) => t.id === id));
    if (unknown.length) return usage(`no task ${unknown.join(", ")} in ${tasksFile}`);
    tasks = tasks.filter((t) => values.task!.includes(t.id));
  }
  if (values.reference) {
    const missing = tasks.filter((t) => !t.referencePatch).map((t) => t.id);
    if (missing.length)
      return usage(`--reference needs a reference_patch for every task; missing: ${missing.join(", ")}`);
  }

  let env: AppEnv;
  try {
    env = loadEnv({ ...io.env, ...(values.sandbox ? { AGENT_SANDBOX: values.sandbox } : {}) });
  } catch (err) {
    if (err instanceof UserError) {
      io.err.write(`issuesmith eval: ${err.message}: ${err.details.join("; ")}\n`);
      return 3;
    }
    throw err;
  }
  if (!values.reference && !env.model.name) {
    io.err.write(
      "issuesmith eval: no model configured: set AGENT_MODEL (and OPENAI_BASE_URL, OPENAI_API_KEY), or pass --reference\n",
    );
    return 3;
  }
  if (!values.reference && !env.model.apiKey && new URL(env.model.baseUrl).hostname === "api.openai.com") {
    io.err.write(
      "issuesmith eval: OPENAI_API_KEY is required for api.openai.com (or set OPENAI_BASE_URL to your endpoint)\n",
    );
    return 3;
  }

  const outDir = path.resolve(values.out ?? path.join("eval-out", path.basename(tasksFile).replace(/\.jsonl?$/i, "")));
  const redactor = new Redactor(envSecrets(env));
  const log = createLogger(
    { log: { level: io.env.LOG_LEVEL ? env.log.level : "warn", format: "pretty" } },
    redactor,
    io.err as NodeJS.WriteStream,
  );
  const runner = await createRunner(env.sandbox, log);
  let config: RepoConfig = DEFAULT_REPO_CONFIG;
  if (maxSteps !== undefined) config = { ...config, budget: { ...config.budget, steps: maxSteps } };
  const modelOptions = values.reference ? undefined : chatModelOptions(env);
  const modelName = values.reference ? "reference" : env.model.name!;

  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    io.err.write("\nissuesmith eval: stopping; finished results are kept (Ctrl-C again to quit at once)\n");
    controller.abort(new Cancelled("interrupted (Ctrl-C)"));
  };
  process.on("SIGINT", onSigint);
  const already = values.resume ? (await readResults(outDir)).filter((r) => tasks.some((t) => t.id === r.id)) : [];
  const progress = new EvalProgress(io.out, tasks.length, already);
  try {
    const run = await runEval({
      tasks,
      tasksFile,
      outDir,
      concurrency,
      attempts: attempts.attempts,
      resume: Boolean(values.resume),
      modelName,
      deps: {
        runner,
        tools: createRegistry(defaultTools()),
        redactor,
        model: async (task, source): Promise<ChatModel> => {
          if (!modelOptions)
            return new ReferenceModel(
              await referenceEdits(source.source, source.baseCommit, task.referencePatch!, env.workDir),
            );
          return new OpenAIChatModel(modelOptions);
        },
        config,
        prices: env.model.prices,
        contextWindow: env.model.contextWindow,
        maxOutputTokens: env.model.maxOutputTokens,
        workDir: env.workDir,
        log,
        signal: controller.signal,
        onEvent: (id, e) => {
          if (e.type === "phase") progress.activity(id, e.phase);
          else if (e.type === "tool") progress.activity(id, `step ${e.step} ${describeCall(e.name, e.arguments)}`);
        },
      },
      onStart: (t) => progress.started(t.id),
      onResult: (r) => progress.finished(r),
    });
    progress.end();
    const resolved = run.results.filter((r) => r.resolved).length;
    const harness = run.results.filter((r) => isHarnessFailure(r.failure)).length;
    const cost = run.results.reduce((n, r) => n + r.costUsd, 0);
    io.out.write(
      [
        `${run.interrupted ? "Interrupted. " : ""}Resolved ${resolved} of ${run.results.length - harness}${harness ? ` scored · ${harness} not scored (harness failure)` : ""}${run.results.length < tasks.length ? ` (${tasks.length - run.results.length} not run)` : ""}${run.skipped ? ` · ${run.skipped} from an earlier run` : ""}${attempts.attempts > 1 ? ` · ${attempts.attempts} attempts per task` : ""} · $${cost.toFixed(4)} in all, ${resolved ? `$${(cost / resolved).toFixed(4)}` : "—"} per resolved task`,
        `Report: ${path.join(outDir, REPORT_FILE)}`,
        `Results: ${run.resultsFile}`,
        "",
      ].join("\n"),
    );
    return !run.interrupted && resolved === tasks.length ? 0 : run.interrupted ? 130 : 1;
  } catch (err) {
    progress.end();
    if (err instanceof UserError) return usage(err.message);
    throw err;
  } finally {
    process.off("SIGINT", onSigint);
  }
}

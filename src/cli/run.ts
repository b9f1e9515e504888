// `issuesmith run --repo <dir> --task "<text>"`: the same pipeline as the app
// on a local checkout. Exit 0 only when the repository's tests pass.
import { randomUUID } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { envSecrets, loadEnv } from "../config/env.ts";
import { DEFAULT_REPO_CONFIG, parseRepoConfigText, type RepoConfig } from "../config/repo-config.ts";
import { Cancelled, UserError } from "../errors.ts";
import { OpenAIChatModel, chatModelOptions } from "../llm/chat-model.ts";
import { createLogger } from "../logger.ts";
import { branchName } from "../run/issue-context.ts";
import { localRun } from "../run/local-run.ts";
import { testEvidencePlain } from "../run/report-text.ts";
import { TrajectoryRecorder } from "../run/trajectory.ts";
import { Redactor } from "../security/redact.ts";
import { createRegistry, defaultTools } from "../tools/registry.ts";
import { GitWorkspace } from "../workspace/git.ts";
import { createRunner } from "../workspace/sandbox.ts";
import { ProgressLine } from "./progress-line.ts";

export const RUN_USAGE = `usage: issuesmith run --repo <dir> (--task "<text>" | --issue-file <file.md>) [options]

  --repo <dir>            a local git checkout (the agent works on a private clone of its HEAD)
  --task <text>           what to do, in words
  --issue-file <file>     the task as a Markdown file (first line = title)
  --branch <name>         branch to create in <dir> (default agent/issue-local-<slug>)
  --no-commit             apply the change to <dir>'s working tree instead of committing a branch
  --config <file>         repo config to use (default <dir>/.github/agent.yml)
  --trajectory <file>     write the run's trajectory as JSON
  --max-steps <n>         override budget.steps
  --sandbox <mode>        auto | bwrap | none (default AGENT_SANDBOX or auto)
  --json                  print the result as JSON instead of text

The model comes from OPENAI_BASE_URL, OPENAI_API_KEY and AGENT_MODEL.
Exit codes: 0 tests pass · 1 tests fail, no change, or stopped early · 2 bad usage · 3 bad configuration.`;

export async function runCommand(
  argv: string[],
  io: { out: NodeJS.WriteStream; err: NodeJS.WriteStream; env: NodeJS.ProcessEnv },
): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        repo: { type: "string" },
        task: { type: "string" },
        "issue-file": { type: "string" },
        branch: { type: "string" },
        "no-commit": { type: "boolean", default: false },
        config: { type: "string" },
        trajectory: { type: "string" },
        "max-steps": { type: "string" },
        sandbox: { type: "string" },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    io.err.write(`issuesmith run: ${(err as Error).message}\n${RUN_USAGE.split("\n")[0]}\n`);
    return 2;
  }
  if (args.help) {
    io.out.write(`${RUN_USAGE}\n`);
    return 0;
  }
  const usage = (msg: string) => {
    io.err.write(`issuesmith run: ${msg}\n`);
    return 2;
  };
  if (!args.repo) return usage("--repo <dir> is required");
  if (!args.task && !args["issue-file"]) return usage('a task is required: --task "<text>" or --issue-file <file.md>');
  if (args.task && args["issue-file"]) return usage("give --task or --issue-file, not both");
  if (args.sandbox && !["auto", "bwrap", "none"].includes(args.sandbox))
    return usage(`--sandbox must be auto, bwrap or none (got ${args.sandbox})`);
  const maxSteps = args["max-steps"] !== undefined ? Number(args["max-steps"]) : undefined;
  if (maxSteps !== undefined && (!Number.isInteger(maxSteps) || maxSteps < 1))
    return usage(`--max-steps must be a positive integer (got ${args["max-steps"]})`);

  let env;
  try {
    env = loadEnv({ ...io.env, ...(args.sandbox ? { AGENT_SANDBOX: args.sandbox } : {}) });
  } catch (err) {
    if (err instanceof UserError) {
      io.err.write(`issuesmith run: ${err.message}: ${err.details.join("; ")}\n`);
      return 3;
    }
    throw err;
  }
  if (!env.model.name) {
    io.err.write(
      "issuesmith run: no model configured: set AGENT_MODEL (and OPENAI_BASE_URL, OPENAI_API_KEY for your endpoint)\n",
    );
    return 3;
  }
  if (!env.model.apiKey && new URL(env.model.baseUrl).hostname === "api.openai.com") {
    io.err.write(
      "issuesmith run: OPENAI_API_KEY is required for api.openai.com (or set OPENAI_BASE_URL to your endpoint)\n",
    );
    return 3;
  }

  const repoDir = path.resolve(args.repo);
  let userRepo: GitWorkspace;
  try {
    userRepo = await GitWorkspace.open({ dir: repoDir, home: env.workDir });
  } catch {
    return usage(`${repoDir} is not a git repository`);
  }

  let title: string;
  let body: string;
  if (args["issue-file"]) {
    const text = await readFile(args["issue-file"], "utf8").catch(() => undefined);
    if (text === undefined) return usage(`cannot read --issue-file ${args["issue-file"]}`);
    const [first = "", ...rest] = text.split("\n");
    title = first.replace(/^#+\s*/, "").trim() || "Task";
    body = rest.join("\n").trim();
  } else {
    title = args.task!.split("\n")[0]!.slice(0, 120);
    body = args.task!;
  }

  const configFile = args.config ?? path.join(repoDir, ".github", "agent.yml");
  const configText = await readFile(configFile, "utf8").catch(() => undefined);
  if (configText === undefined && args.config) return usage(`cannot read --config ${args.config}`);
  let config: RepoConfig = DEFAULT_REPO_CONFIG;
  if (configText !== undefined) {
    const parsed = parseRepoConfigText(configText);
    if (parsed.errors.length > 0) {
      io.err.write(`issuesmith run: ${configFile} has errors:\n${parsed.errors.map((e) => `  - ${e}`).join("\n")}\n`);
      return 3;
    }
    config = parsed.config;
  }
  if (maxSteps !== undefined) config = { ...config, budget: { ...config.budget, steps: maxSteps } };

  const redactor = new Redactor(envSecrets(env));
  const log = createLogger(
    { log: { level: io.env.LOG_LEVEL ? env.log.level : "warn", format: "pretty" } },
    redactor,
    io.err,
  );
  const runner = await createRunner(env.sandbox, log);
  const model = new OpenAIChatModel(chatModelOptions(env));
  const jobId = randomUUID();
  const branch = args.branch ?? branchName(config.branch_prefix, 0, title).replace("issue-0", "issue-local");
  const recorder = new TrajectoryRecorder({
    jobId,
    task: { source: repoDir, title, body },
    model: model.name,
    redactor,
  });
  const progress = new ProgressLine(io.out, config.budget.steps);
  const controller = new AbortController();
  const onSigint = () => controller.abort(new Cancelled("interrupted (Ctrl-C)"));
  process.once("SIGINT", onSigint);

  try {
    const run = await localRun(
      {
        source: repoDir,
        branch,
        task: { title, body, source: path.basename(repoDir) },
        config,
        model,
        tools: createRegistry(defaultTools()),
        runner,
        redactor,
        prices: env.model.prices,
        contextWindow: env.model.contextWindow,
        maxOutputTokens: env.model.maxOutputTokens,
        workDir: env.workDir,
        jobId,
        signal: controller.signal,
        log,
        onEvent: (e) => {
          recorder.record(e);
          progress.event(e);
        },
      },
      async (clone, r) => {
        if (!r.sha) return;
        if (args["no-commit"]) {
          const patch = path.join(path.dirname(clone.dir), "change.patch");
          await writeFile(patch, r.diff);
          await userRepo.applyPatch(patch);
        } else {
          await userRepo.fetchBranchFrom(clone.dir, branch);
        }
      },
    );
    progress.done();
    const { result } = run;
    const passed = result.stop === "finish" && Boolean(result.tests?.passed);
    const status = !run.sha
      ? "no change"
      : passed
        ? "tests pass"
        : result.stop !== "finish"
          ? `stopped: ${result.reason ?? result.stop}`
          : result.tests
            ? "tests fail"
            : "untested (no test command)";
    recorder.finish({
      usage: result.usage,
      diff: run.diff,
      outcome: { status, summary: result.summary ?? result.reason ?? "" },
    });
    if (args.trajectory) await writeFile(args.trajectory, JSON.stringify(recorder.toJSON(), null, 2));
    if (args.json) {
      io.out.write(
        `${JSON.stringify({ status, branch: run.sha && !args["no-commit"] ? branch : undefined, changed: run.changed, summary: result.summary, tests: result.tests, usage: result.usage, refused: run.refused, findings: run.findings }, null, 2)}\n`,
      );
    } else {
      const lines = [
        `Result: ${status}`,
        run.sha
          ? args["no-commit"]
            ? `The change was applied to ${repoDir} (uncommitted).`
            : `Branch: ${branch} (in ${repoDir})`
          : "",
        run.changed.length ? `Files: ${run.changed.join(", ")}` : "",
        run.refused.length ? `Refused: ${run.refused.map((r) => `${r.path} (${r.reason})`).join("; ")}` : "",
        run.findings.length
          ? `Warning: ${run.findings.length} secret-like finding(s) in the change: ${run.findings.map((f) => `${f.path}${f.line ? `:${f.line}` : ""} ${f.kind}`).join("; ")}`
          : "",
        "",
        "Summary:",
        (result.summary ?? result.reason ?? "(none)").trim(),
        "",
        testEvidencePlain(result.tests, result.testCommand),
        result.lint
          ? `Lint: ${result.lint.command} ${result.lint.passed ? "passed" : `FAILED (${result.lint.killed ?? `exit code ${result.lint.exitCode}`})\n${result.lint.outputTail.split("\n").slice(-20).join("\n")}`}`
          : "",
        "",
        `Used: ${result.usage.steps} steps · ${(result.usage.inputTokens + result.usage.outputTokens).toLocaleString("en-US")} tokens · $${result.usage.costUsd.toFixed(3)} · ${Math.round(result.usage.wallMs / 1000)} s`,
      ];
      io.out.write(`${lines.filter((l, i, a) => l !== "" || (i > 0 && a[i - 1] !== "")).join("\n")}\n`);
    }
    return run.sha && passed ? 0 : 1;
  } catch (err) {
    progress.done();
    if (err instanceof UserError) {
      io.err.write(`issuesmith run: ${err.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    process.off("SIGINT", onSigint);
  }
}

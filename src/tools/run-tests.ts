// `run_tests`: the repository's own test command (config, else detected),
// whole or narrowed by a filter, summarised so the failures come first.
import { z } from "zod";
import { describeKill } from "../workspace/run-limits.ts";
import { defineTool, type ToolOutcome } from "./define.ts";
import { filteredTestCommand } from "./test-filter.ts";
import { summarizeTestOutput } from "./test-summary.ts";
import { formatDuration } from "../shared/duration.ts";

const TEST_OUTPUT_BYTES = 2 * 1024 * 1024;

export const NO_TEST_COMMAND =
  "No test command is known for this repository: .github/agent.yml has no `test:` and none was detected " +
  "(a package.json test script, pytest, go.mod, Cargo.toml, or a Makefile `test` target). " +
  "Verify your change another way with `shell` (run the relevant script or a small check), and say in your `finish` summary how you verified it. " +
  "(Maintainers can set one with `test: <command>` in .github/agent.yml.)";

const params = z.object({
  filter: z
    .string()
    .trim()
    .min(1)
    .optional()
    .describe("Run a subset: a test file or directory path, or a test-name pattern. Omit to run the whole suite."),
});

export const runTestsTool = defineTool({
  name: "run_tests",
  description:
    "Run the repository's test command (optionally a subset by path or test name). The result starts with PASSED/FAILED and the counts, then the failing tests and their errors, then the last lines of output.",
  params,
  async run(args, ctx): Promise<ToolOutcome> {
    if (!ctx.testCommand) return { isError: true, output: NO_TEST_COMMAND };
    const { command, note } = args.filter
      ? await filteredTestCommand(ctx.testCommand, args.filter, ctx.workspace.repoDir)
      : { command: ctx.testCommand, note: undefined };
    // The same limit as the app's own test run: a suite that may take that long there may here.
    const seconds = ctx.config.budget.test_timeout_seconds;
    const run = await ctx.runner.run({
      command,
      workspace: ctx.workspace,
      timeoutMs: seconds * 1000,
      network: false,
      signal: ctx.signal,
      maxOutputBytes: TEST_OUTPUT_BYTES,
    });
    const summary = summarizeTestOutput(run.output, run.killed ? null : run.exitCode);
    const out = [`$ ${command}  (${formatDuration(run.durationMs)})`];
    if (note) out.push(note);
    if (run.killed === "timeout")
      out.push(
        `STOPPED after ${seconds} s (the test time limit). Run a subset with \`filter\`, or look for a test that hangs (a server left open, a missing mock).`,
      );
    if (run.killed === "output") out.push("STOPPED: the tests printed too much output. Run a subset with `filter`.");
    if (run.killed === "cancelled") out.push("STOPPED: the job was cancelled.");
    // Memory, process limit, read-only .git: the sandbox knows the words.
    const limit = run.killed
      ? undefined
      : describeKill(run, { timeoutMs: seconds * 1000, maxOutputBytes: TEST_OUTPUT_BYTES });
    if (limit) out.push(limit);
    out.push(summary.text);
    return { isError: !summary.passed, output: out.join("\n") };
  },
});

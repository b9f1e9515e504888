// The commands solve() runs around the agent loop (ARCHITECTURE.md §1, §6):
// setup (on the base's tree when a trust gate says so), the final test run
// (with secrets only when the test machinery is trusted) and the lint command.
import type { LintRun, SetupRun, TestRun } from "../shared/evidence.ts";
import { detectSetupCommand } from "../workspace/detect.ts";
import { runLintCommand } from "./lint-run.ts";
import type { SolveEvent, SolveOptions } from "./solve.ts";
import { runTestCommand } from "./test-run.ts";
import { notInstalledNote, secretsNote } from "./trust-gate.ts";

/** What these commands need of solve()'s options (a job that only tests, like `/agent update`, has no task). */
export type CommandOptions = Pick<SolveOptions, "config" | "workspace" | "log">;

/** The lint command after the tests, reported beside them; it decides nothing unless `lint_blocks` (the caller's choice). */
export async function lintAfter(
  options: CommandOptions,
  signal: AbortSignal,
  emit: (e: SolveEvent) => Promise<void>,
): Promise<{ lint?: LintRun }> {
  const command = options.config.lint;
  if (!command || signal.aborted) return {};
  await emit({ type: "phase", phase: "test", detail: `lint: ${command}` });
  const { runner, dir: workspace, redactor } = options.workspace;
  const lint = await runLintCommand(
    runner,
    workspace,
    command,
    options.config.budget.test_timeout_seconds * 1000,
    signal,
    redactor,
  );
  return signal.aborted ? {} : { lint };
}

/**
 * Setup with the network runs only trusted code: the base commit's tree,
 * whatever the branch holds (a resume, a revision, a fork). Without a trust
 * gate (the CLI on the user's own checkout, eval) it runs where it is, without secrets.
 * Work it leaves running is pushed on `settling`.
 */
export async function runSetup(
  options: CommandOptions,
  signal: AbortSignal,
  emit: (e: SolveEvent) => Promise<void>,
  settling: Promise<unknown>[] = [],
): Promise<SetupRun | undefined> {
  const { config } = options;
  const { dir: workspace, runner, trust } = options.workspace;
  if (config.setup === null) return undefined; // explicitly disabled
  const setupOnTree = async (): Promise<SetupRun | undefined> => {
    const command = config.setup ?? (await detectSetupCommand(workspace.repoDir));
    if (!command) return undefined;
    await emit({ type: "phase", phase: "setup", detail: command });
    const exec = (line: string, network: boolean, env?: Record<string, string>) =>
      runner.run({
        command: line,
        workspace,
        timeoutMs: config.budget.setup_timeout_seconds * 1000,
        network,
        signal,
        maxOutputBytes: 256 * 1024,
        ...(env ? { env } : {}),
      });
    // A tree from the dependency cache is only checked, offline (ARCHITECTURE.md §6: the cache holds trusted installs only).
    const cache = options.workspace.setupCache;
    const restored = await cache
      ?.restore(command, workspace)
      .catch((err: unknown) => void options.log.warn({ err }, "dependency cache restore failed"));
    if (cache && restored) {
      const check = await exec(restored.check, false);
      if (check.exitCode === 0 && !check.killed)
        return {
          command,
          ok: true,
          exitCode: 0,
          outputTail: "",
          durationMs: check.durationMs,
          fromCache: { check: restored.check },
        };
      options.log.warn(
        { check: restored.check, exitCode: check.exitCode },
        "cached dependencies failed their check; installing afresh",
      );
      await cache.discard(command, workspace);
    }
    // Secrets only with a trust gate: this then runs on the base commit's tree (trusted code).
    const env = trust?.secretEnv;
    const run = await exec(command, config.setup_network, env);
    const ok = run.exitCode === 0 && !run.killed;
    const tail = options.workspace.redactor.redact(run.output.split("\n").slice(-40).join("\n"));
    if (!ok) options.log.warn({ command, exitCode: run.exitCode, killed: run.killed }, "setup command failed");
    else if (cache)
      // Off the way to the first model call; solve() holds every tool call until it is done (the copy must be
      // the trusted install, untouched by the agent).
      settling.push(
        cache
          .save(command, workspace)
          .catch((err: unknown) => options.log.warn({ err }, "dependency cache save failed")),
      );
    return {
      command,
      ok,
      exitCode: run.exitCode,
      outputTail: tail,
      durationMs: run.durationMs,
      hadSecrets: env !== undefined,
    };
  };
  // What was not installed is told once the change is complete (finalRun): the agent changes manifests after this,
  // and before setup's leftovers are excluded a fresh node_modules would be listed file by file.
  return trust ? trust.onBase(setupOnTree, settling) : setupOnTree();
}

/**
 * The evidence run: with the opted-in secrets when the test machinery is the
 * base's (its output withheld, its changes to the workspace undone), else the
 * secret-free run stands and says why.
 */
export async function finalRun(
  options: CommandOptions,
  testCommand: string,
  setup: SetupRun | undefined,
  last: TestRun,
  signal: AbortSignal,
): Promise<{ tests: TestRun; setup: SetupRun | undefined }> {
  const trust = options.workspace.trust;
  if (!trust) return { tests: last, setup };
  const { testMachinery, installMachinery } = await trust.assess(testCommand, setup?.command);
  // What the agent changed after setup is not installed either: say so now that the change is complete.
  const installNote = setup ? notInstalledNote(installMachinery) : undefined;
  const withNote = setup && installNote ? { ...setup, note: installNote } : setup;
  if (!trust.secretEnv) return { tests: last, setup: withNote };
  const names = Object.keys(trust.secretEnv);
  if (testMachinery.length > 0)
    return { tests: { ...last, note: secretsNote(names, false, testMachinery) }, setup: withNote };
  const { config } = options;
  const { runner, dir: workspace, redactor } = options.workspace;
  const run = await trust.isolated(() =>
    runTestCommand(
      runner,
      workspace,
      testCommand,
      config.budget.test_timeout_seconds * 1000,
      signal,
      redactor,
      trust.secretEnv,
    ),
  );
  // Only the verdict of the run with secrets is kept: what it printed goes nowhere.
  return {
    tests: {
      ...last,
      passed: run.passed,
      exitCode: run.exitCode,
      killed: run.killed,
      durationMs: run.durationMs,
      note: secretsNote(names, true),
    },
    setup: withNote,
  };
}

export function setupFailedNote(setup: SetupRun): string {
  // A run that had secrets is never shown to the model, not even redacted.
  const output = setup.hadSecrets
    ? "Its output is not shown: it ran with the repository's secrets."
    : `Its last lines:\n\`\`\`\n${setup.outputTail}\n\`\`\``;
  return `## Setup failed\nThe setup command \`${setup.command}\` failed (exit code ${setup.exitCode ?? "killed"}). ${output}\nThe sandbox has no network now. Work with what is installed, and say in your summary if the failure kept you from testing.`;
}

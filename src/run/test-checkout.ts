// The repository's tests on a checkout, with no agent: setup (on the base's
// tree, as the trust boundary wants), the test command, and the final run
// with secrets when the test machinery is the base's. `/agent update` judges
// a clean merge of the base with it.
import type { RepoConfig } from "../config/repo-config.ts";
import type { SetupRun, TestRun } from "../shared/evidence.ts";
import { detectTestCommand } from "../workspace/detect.ts";
import type { GitWorkspace } from "../workspace/git.ts";
import type { Workspace } from "../workspace/types.ts";
import type { JobScope } from "./job-scope.ts";
import { solveBase } from "./solve-base.ts";
import { finalRun, runSetup } from "./solve-commands.ts";
import { runTestCommand } from "./test-run.ts";

export interface CheckoutTests {
  setup: SetupRun | undefined;
  testCommand: string | undefined;
  /** Undefined when there is no test command. */
  tests: TestRun | undefined;
}

export async function testCheckout(
  scope: JobScope,
  config: RepoConfig,
  clone: { workspace: Workspace; git: GitWorkspace; base: string },
): Promise<CheckoutTests> {
  const options = solveBase(scope, config, clone.workspace, scope.deps.tools, clone);
  const emit = (e: Parameters<JobScope["reporter"]["event"]>[0]) => scope.reporter.event(e);
  const { signal } = options;
  const setup = await runSetup(options, signal, emit);
  if (setup) await clone.git.markSetupArtifacts();
  const testCommand = config.test ?? (await detectTestCommand(clone.workspace.repoDir));
  if (!testCommand) return { setup, testCommand, tests: undefined };
  await emit({ type: "phase", phase: "test" });
  const { runner, dir, redactor } = options.workspace;
  const timeoutMs = config.budget.test_timeout_seconds * 1000;
  const first = await runTestCommand(runner, dir, testCommand, timeoutMs, signal, redactor);
  const final = await finalRun(options, testCommand, setup, first, signal);
  await emit({ type: "test", run: final.tests, round: 0 });
  return { setup: final.setup, testCommand, tests: final.tests };
}

// The evidence a job gathers by running the repository's own commands
// (ARCHITECTURE.md §1: "done" is decided by evidence): shared by run/, which
// produces it, and the PR body and trajectory page, which show it.

/** The app's own run of the repository's test command. */
export interface TestRun {
  command: string;
  passed: boolean;
  exitCode: number | null;
  killed: "timeout" | "output" | "cancelled" | undefined;
  /** Counts and failures first, for people and the model. */
  summary: string;
  /** The last lines of the raw output, redacted. */
  outputTail: string;
  durationMs: number;
  /** What the report says about the trust boundary (the opted-in secrets given or withheld, and why). */
  note?: string;
}

/** The app's own run of the repository's lint command (`lint:` of .github/agent.yml), after the tests. */
export type LintRun = TestRun;

/** The setup (install) command, run before the agent with network when the repo config allows it. */
export interface SetupRun {
  command: string;
  ok: boolean;
  exitCode: number | null;
  outputTail: string;
  durationMs: number;
  /** The installed tree came from the dependency cache and passed this offline check instead of a full install. */
  fromCache?: { check: string };
  /** It had the opted-in secrets: its output is never shown to the model (ARCHITECTURE.md §6). */
  hadSecrets?: boolean;
  /** What the report says about the trust boundary (what was not installed). */
  note?: string;
}

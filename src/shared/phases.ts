// The named phases of one job (ARCHITECTURE.md §1). Each updates the progress comment
// and the job record.
export const PHASES = [
  "queued",
  "clone",
  "merge",
  "setup",
  "plan",
  "edit",
  "test",
  "push",
  "open-pr",
  "report",
] as const;
export type Phase = (typeof PHASES)[number];

export const PHASE_LABELS: Record<Phase, string> = {
  queued: "queued",
  clone: "cloning",
  merge: "bringing the branch up to date",
  setup: "installing dependencies",
  plan: "planning",
  edit: "working",
  test: "testing",
  push: "pushing",
  "open-pr": "opening the pull request",
  report: "reporting",
};

// Features that need a permission beyond the basics (ARCHITECTURE.md §3):
// app.yml asks for them, but an installation made before it did (or whose
// owner declined the update) may not hold them. Such a feature is refused
// when the config is read, naming the permission, instead of failing later
// with GitHub's bare refusal.
import type { RepoConfig } from "../config/repo-config.ts";

const RANK: Record<string, number> = { read: 1, write: 2, admin: 3 };

export function holds(
  granted: Record<string, string | undefined>,
  permission: string,
  level: "read" | "write",
): boolean {
  return (RANK[granted[permission] ?? ""] ?? 0) >= (RANK[level] ?? 9);
}

const HOW = "an owner of the account accepts it under Settings → GitHub Apps → issuesmith (app.yml asks for it)";

/** Problems of `config` given the permissions the installation granted (from its token), one line each. */
export function permissionProblems(config: RepoConfig, granted: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  if (config.allow_workflow_changes && !holds(granted, "workflows", "write")) {
    problems.push(
      `allow_workflow_changes: true needs the app's \`workflows: write\` permission, which this installation has not granted; ${HOW}`,
    );
  }
  return problems;
}

/** Why a team in allowed_users could not be checked: the organization permission it needs. */
export function teamCheckRefused(team: string): string {
  return `\`${team}\` in allowed_users could not be checked: the app lacks the organization's \`members: read\` permission; ${HOW}`;
}

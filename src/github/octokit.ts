// The octokit type the app uses: Probot's, with the config plugin.
import type { ProbotOctokit } from "probot";

export type Octokit = InstanceType<typeof ProbotOctokit>;

// A type alias (not an interface) so it fits octokit's indexed parameter types.
export type RepoRef = {
  owner: string;
  repo: string;
};

/** HTTP status of an octokit error, if it has one. */
export function statusOf(err: unknown): number | undefined {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === "number" ? status : undefined;
}

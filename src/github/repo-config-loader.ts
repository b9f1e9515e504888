// Reads `.github/agent.yml` the way Probot's context.config does (so an org's
// `.github` repository and `_extends` work), and reports problems as values.
import { DEFAULT_REPO_CONFIG, parseRepoConfig, type RepoConfigResult } from "../config/repo-config.ts";
import { statusOf, type Octokit, type RepoRef } from "./octokit.ts";

export const CONFIG_PATH = ".github/agent.yml";

export async function loadRepoConfig(octokit: Octokit, repo: RepoRef, branch?: string): Promise<RepoConfigResult> {
  try {
    const { config, files } = await octokit.config.get({ ...repo, path: CONFIG_PATH, ...(branch ? { branch } : {}) });
    const found = files.some((f) => f.config !== null);
    return parseRepoConfig(found ? stripExtends(config) : undefined);
  } catch (err) {
    const status = statusOf(err);
    if (status === 404) return { config: DEFAULT_REPO_CONFIG, errors: [] };
    if (status === undefined && err instanceof Error && /yaml|unexpected|indentation|mapping/i.test(`${err.name} ${err.message}`)) {
      return { config: DEFAULT_REPO_CONFIG, errors: [`${CONFIG_PATH} is not valid YAML: ${err.message.split("\n")[0]}`] };
    }
    throw err;
  }
}

function stripExtends(config: Record<string, unknown>): Record<string, unknown> {
  const { _extends: _ignored, ...rest } = config;
  return rest;
}

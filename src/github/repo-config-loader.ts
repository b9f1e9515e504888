// Reads `.github/agent.yml` the way Probot's context.config does (so an org's
// `.github` repository and `_extends` work), and reports problems as values.
import { DEFAULT_REPO_CONFIG, mappingProblem, parseRepoConfig, type RepoConfigResult } from "../config/repo-config.ts";
import { statusOf, type Octokit, type RepoRef } from "./octokit.ts";

export const CONFIG_PATH = ".github/agent.yml";

export async function loadRepoConfig(octokit: Octokit, repo: RepoRef, branch?: string): Promise<RepoConfigResult> {
  try {
    const { config, files } = await octokit.config.get({ ...repo, path: CONFIG_PATH, ...(branch ? { branch } : {}) });
    const found = files.filter((f) => f.config !== null);
    // The plugin merges the files with Object.assign, which turns a document
    // that is not a mapping (bytes, a list, a number) into no settings at all.
    for (const file of found) {
      const problem = mappingProblem(file.config);
      if (problem)
        return {
          config: DEFAULT_REPO_CONFIG,
          errors: [
            `${file.owner}/${file.repo}`.toLowerCase() === `${repo.owner}/${repo.repo}`.toLowerCase()
              ? `${CONFIG_PATH}: ${problem}`
              : `${file.owner}/${file.repo}:${file.path} (extended): ${problem}`,
          ],
        };
    }
    return parseRepoConfig(found.length > 0 ? stripExtends(config) : undefined);
  } catch (err) {
    const status = statusOf(err);
    if (status === 404) return { config: DEFAULT_REPO_CONFIG, errors: [] };
    if (status === undefined && err instanceof Error) {
      const problem = fileProblem(err);
      if (problem) return { config: DEFAULT_REPO_CONFIG, errors: [problem] };
    }
    throw err;
  }
}

const PLUGIN_PREFIX = "[@probot/octokit-plugin-config] ";

/**
 * The config plugin's refusals are problems of the file, for its authors to
 * fix: invalid YAML, not a mapping, a directory, an `_extends` it cannot
 * follow. Undefined for anything else (GitHub failing, a bug).
 */
function fileProblem(err: Error): string | undefined {
  const firstLine = (s: string) => s.split("\n")[0]!.trim();
  if (err.message.startsWith(PLUGIN_PREFIX)) {
    const cause = err.cause instanceof Error ? `: ${firstLine(err.cause.message)}` : "";
    if (/\(invalid YAML\)/.test(err.message)) return `${CONFIG_PATH} is not valid YAML${cause}`;
    // Its messages name the file by API URL; people know it by its path.
    return (
      firstLine(err.message.slice(PLUGIN_PREFIX.length)).replace(/ (in|from) https?:\/\/\S+/, ` in ${CONFIG_PATH}`) +
      cause
    );
  }
  if (/yaml|unexpected|indentation|mapping/i.test(`${err.name} ${err.message}`))
    return `${CONFIG_PATH} is not valid YAML: ${firstLine(err.message)}`;
  return undefined;
}

function stripExtends(config: Record<string, unknown>): Record<string, unknown> {
  const { _extends: _ignored, ...rest } = config;
  return rest;
}

// What handlers ask GitHub — the repo config and the sender's permission —
// remembered briefly, so a burst of deliveries for one repository costs one
// lookup, not one per delivery. Jobs re-read both fresh when they start.
import { LRUCache } from "lru-cache";
import type { RepoConfig, RepoConfigResult } from "../config/repo-config.ts";
import type { Octokit, RepoRef } from "../github/octokit.ts";
import { authorize, type Authorization } from "../github/permissions.ts";
import { loadRepoConfig } from "../github/repo-config-loader.ts";

export interface HandlerLookups {
  config(octokit: Octokit, repo: RepoRef): Promise<RepoConfigResult>;
  authorize(octokit: Octokit, repo: RepoRef, login: string, config: RepoConfig): Promise<Authorization>;
}

type Ctx = { octokit: Octokit; repo: RepoRef; login?: string; config?: RepoConfig };

/** ttlMs 0 turns remembering off (every delivery asks GitHub). */
export function createLookups(options: { ttlMs: number; max?: number } = { ttlMs: 30_000 }): HandlerLookups {
  if (options.ttlMs <= 0) {
    return { config: (o, r) => loadRepoConfig(o, r), authorize: (o, r, l, c) => authorize(o, r, l, c) };
  }
  const max = options.max ?? 1_000;
  const configs = new LRUCache<string, RepoConfigResult, Ctx>({
    max,
    ttl: options.ttlMs,
    fetchMethod: (_key, _stale, { context }) => loadRepoConfig(context.octokit, context.repo),
  });
  const permissions = new LRUCache<string, Authorization, Ctx>({
    max: max * 10,
    ttl: options.ttlMs,
    fetchMethod: (_key, _stale, { context }) =>
      authorize(context.octokit, context.repo, context.login!, context.config!),
  });
  const repoKey = (r: RepoRef) => `${r.owner}/${r.repo}`.toLowerCase();
  return {
    async config(octokit, repo) {
      return (await configs.fetch(repoKey(repo), { context: { octokit, repo } }))!;
    },
    async authorize(octokit, repo, login, config) {
      // The answer depends on the config's permission level and allow-list too.
      const key = `${repoKey(repo)}\0${login.toLowerCase()}\0${config.permission}\0${config.allowed_users.join(",")}`;
      return (await permissions.fetch(key, { context: { octokit, repo, login, config } }))!;
    },
  };
}

// The token git uses: asked for explicitly (as the app, with its JWT) and
// narrowed to the one repository the job works on, then renewed before it
// expires so a long job never pushes with a dead token.
import type { Octokit, RepoRef } from "./octokit.ts";

const RENEW_BEFORE_MS = 5 * 60_000;

/** `onToken` also hears what the installation granted (GitHub says so with each token). */
export function repositoryTokenSource(
  appOctokit: () => Promise<Octokit>,
  installationId: number,
  repo: RepoRef,
  onToken: (token: string, permissions: Record<string, string | undefined>) => void,
): () => Promise<string> {
  let current: { token: string; expiresAt: number } | undefined;
  let pending: Promise<string> | undefined;
  return () => {
    if (current && current.expiresAt - Date.now() > RENEW_BEFORE_MS) return Promise.resolve(current.token);
    pending ??= (async () => {
      try {
        const octokit = await appOctokit();
        const { data } = await octokit.request("POST /app/installations/{installation_id}/access_tokens", {
          installation_id: installationId,
          repositories: [repo.repo],
        });
        onToken(data.token, { ...data.permissions });
        current = { token: data.token, expiresAt: Date.parse(data.expires_at) || Date.now() + 55 * 60_000 };
        return data.token;
      } finally {
        pending = undefined;
      }
    })();
    return pending;
  };
}

// Who the app is on GitHub: its slug (its bot login is `<slug>[bot]`) and the
// git identity its commits carry. Asked once, then remembered.
import type { Octokit } from "./octokit.ts";

export interface AppIdentity {
  /** The app's slug; its bot login is `${slug}[bot]`. */
  slug: string;
  /** The author of the app's commits (the workspace's GitIdentity). */
  git: { name: string; email: string };
}

export function appIdentityLoader(
  appOctokit: () => Promise<Octokit>,
  options: { host: string; slug?: string },
): () => Promise<AppIdentity> {
  let cached: Promise<AppIdentity> | undefined;
  return () => {
    cached ??= load(appOctokit, options).catch((err: unknown) => {
      cached = undefined; // a failed lookup is asked again next time
      throw err;
    });
    return cached;
  };
}

async function load(
  appOctokit: () => Promise<Octokit>,
  options: { host: string; slug?: string },
): Promise<AppIdentity> {
  const octokit = await appOctokit();
  const slug = options.slug?.replace(/\[bot\]$/, "") ?? (await octokit.request("GET /app")).data?.slug;
  if (!slug) throw new Error("GET /app returned no slug");
  const login = `${slug}[bot]`;
  const noreply =
    options.host === "github.com" ? "users.noreply.github.com" : `users.noreply.${options.host.replace(/:\d+$/, "")}`;
  let email = `${login}@${noreply}`;
  try {
    const { data } = await octokit.request("GET /users/{username}", { username: login });
    email = `${data.id}+${login}@${noreply}`;
  } catch {
    // The id only makes GitHub link commits to the bot's avatar; the login alone is fine.
  }
  return { slug, git: { name: login, email } };
}

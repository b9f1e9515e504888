// Who may trigger a job: write permission or higher (configurable), or an
// allow-listed user or team. Answered from GitHub, not from the payload.
import { permissionAtLeast, type RepoConfig } from "../config/repo-config.ts";
import { teamCheckRefused } from "./app-permissions.ts";
import { statusOf, type Octokit, type RepoRef } from "./octokit.ts";

export type Authorization =
  { allowed: true; permission: string } | { allowed: false; permission: string; reason: string };

export async function authorize(
  octokit: Octokit,
  repo: RepoRef,
  login: string,
  config: RepoConfig,
): Promise<Authorization> {
  let permission = "none";
  try {
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/collaborators/{username}/permission", {
      ...repo,
      username: login,
    });
    // `role_name` knows triage and maintain; `permission` folds them into read/write.
    permission = data.role_name || data.permission || "none";
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
  }
  if (permissionAtLeast(permission, config.permission)) return { allowed: true, permission };

  const users = config.allowed_users.filter((u) => !u.startsWith("@"));
  if (users.some((u) => u.toLowerCase() === login.toLowerCase())) return { allowed: true, permission };
  const unchecked: string[] = [];
  for (const team of config.allowed_users.filter((u) => u.startsWith("@"))) {
    const [org, slug] = team.slice(1).split("/");
    if (!org || !slug) continue;
    try {
      const { data } = await octokit.request("GET /orgs/{org}/teams/{team_slug}/memberships/{username}", {
        org,
        team_slug: slug,
        username: login,
      });
      if (data.state === "active") return { allowed: true, permission };
    } catch (err) {
      // 404: not a member. 403: the installation may not read team membership — say so, never skip it silently.
      if (statusOf(err) === 403) unchecked.push(team);
      else if (statusOf(err) !== 404) throw err;
    }
  }
  const refused = `@${login} has ${permission === "none" ? "no" : `\`${permission}\``} permission on this repository; triggering issuesmith needs \`${config.permission}\` or higher${config.allowed_users.length ? " or a place in `allowed_users`" : ""}`;
  return {
    allowed: false,
    permission,
    reason: unchecked.length > 0 ? `${refused}. ${unchecked.map(teamCheckRefused).join(" ")}` : refused,
  };
}

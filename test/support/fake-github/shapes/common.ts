// Shared pieces of GitHub's JSON: users, reaction roll-ups, URLs. Shapes
// carry every field GitHub's OpenAPI description requires (the fake checks
// its own responses against it), so app code reading them sees real ones.
import type { AccountType, FakeState, ReactionRecord, RepoRecord } from "../state.ts";

export type Json = Record<string, unknown>;

export interface ShapeContext {
  state: FakeState;
  /** REST root, e.g. http://127.0.0.1:1234/api/v3 */
  api: string;
  /** Web root (html_url), e.g. http://127.0.0.1:1234 */
  web: string;
  app: { id: number; slug: string; name: string; owner: string };
}

export function userShape(ctx: ShapeContext, login: string, type?: AccountType): Json {
  const user = ctx.state.user(login, type);
  const url = `${ctx.api}/users/${encodeURIComponent(login)}`;
  return {
    login: user.login,
    id: user.id,
    node_id: user.nodeId,
    avatar_url: `${ctx.web}/avatars/u/${user.id}`,
    gravatar_id: "",
    url,
    html_url: `${ctx.web}/${login}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type: user.type,
    user_view_type: "public",
    site_admin: false,
  };
}

export function authorAssociation(ctx: ShapeContext, repo: RepoRecord, login: string): string {
  if (login.toLowerCase() === repo.owner.toLowerCase()) return "OWNER";
  const permission = ctx.state.permissionOf(repo.fullName, login);
  if (permission === "admin" || permission === "maintain" || permission === "write") return "COLLABORATOR";
  return "NONE";
}

const CONTENTS = ["+1", "-1", "laugh", "confused", "heart", "hooray", "eyes", "rocket"] as const;

export function reactionRollup(url: string, reactions: ReactionRecord[]): Json {
  const counts: Json = { url, total_count: reactions.length };
  for (const content of CONTENTS) counts[content] = reactions.filter((r) => r.content === content).length;
  return counts;
}

export function repoApiUrl(ctx: ShapeContext, repo: RepoRecord): string {
  return `${ctx.api}/repos/${repo.fullName}`;
}

export function repoWebUrl(ctx: ShapeContext, repo: RepoRecord): string {
  return `${ctx.web}/${repo.fullName}`;
}

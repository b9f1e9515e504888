// Repository metadata, contents, permissions, branches, refs and compare —
// answered from the real bare repositories.
import {
  branchSha,
  commitInfo,
  git,
  commitsBetween,
  countBetween,
  diffFiles,
  fetchRef,
  mergeBase,
  readPath,
  refs,
  resolveCommit,
} from "../git-repo.ts";
import { repoApiUrl } from "../shapes/common.ts";
import {
  branchShape,
  commitShape,
  diffEntryShape,
  directoryEntryShape,
  fileContentShape,
  repositoryShape,
} from "../shapes/repo.ts";
import type { Permission, RepoRecord } from "../state.ts";
import type { ShapeContext } from "../shapes/common.ts";
import {
  json,
  notFound,
  repoOf,
  unprocessable,
  type RouteEnv,
  type RouteRequest,
  type RouteResult,
  type RouteTable,
} from "./types.ts";

const PERMISSION_OF: Record<Permission | "none", "admin" | "write" | "read" | "none"> = {
  admin: "admin",
  maintain: "write",
  write: "write",
  triage: "read",
  read: "read",
  none: "none",
};

const RANK: Record<Permission | "none", number> = { none: 0, read: 1, triage: 2, write: 3, maintain: 4, admin: 5 };

export const repoRoutes: RouteTable = {
  "repos/get": { auth: "installation", handle: (req, env) => json(200, repositoryShape(env.ctx, repoOf(req))) },

  "repos/get-content": {
    auth: "installation",
    handle: async (req, env) => {
      const repo = repoOf(req);
      const ref = req.query.get("ref") ?? repo.defaultBranch;
      const sha = await resolveCommit(repo.gitDir, ref);
      if (!sha) return notFound(`No commit found for the ref ${ref}`);
      const path = (req.params["path"] ?? "").replace(/^\/+|\/+$/g, "");
      const found = await readPath(repo.gitDir, sha, path);
      if (!found) return notFound();
      const raw = /\.raw\b|vnd\.github\.raw/.test(String(req.headers["accept"] ?? ""));
      if (found.kind === "file") {
        if (raw) return { status: 200, text: found.content, headers: { "content-type": "text/plain; charset=utf-8" } };
        return json(200, fileContentShape(env.ctx, repo, path, ref, found.sha, found.content));
      }
      return json(
        200,
        found.entries.map((entry) => directoryEntryShape(env.ctx, repo, path, ref, entry)),
      );
    },
  },

  "repos/get-collaborator-permission-level": {
    auth: "installation",
    handle: (req, env) => {
      const repo = repoOf(req);
      const login = req.params["username"] ?? "";
      const explicit = env.ctx.state.permissionOf(repo.fullName, login);
      // anyone may read a public repository
      const level: Permission | "none" = explicit === "none" && !repo.private ? "read" : explicit;
      const user = env.ctx.state.user(login);
      return json(200, {
        permission: PERMISSION_OF[level],
        role_name: level,
        user: {
          ...collaboratorBase(env.ctx, login),
          type: user.type,
          permissions: {
            pull: RANK[level] >= RANK.read,
            triage: RANK[level] >= RANK.triage,
            push: RANK[level] >= RANK.write,
            maintain: RANK[level] >= RANK.maintain,
            admin: RANK[level] >= RANK.admin,
          },
          role_name: level,
        },
      });
    },
  },

  "teams/get-membership-for-user-in-org": {
    auth: "installation",
    handle: (req, env) => {
      const org = req.params["org"] ?? "";
      const team = req.params["team_slug"] ?? "";
      const login = req.params["username"] ?? "";
      const membership = env.ctx.state.teams.get(`${org}/${team}`.toLowerCase())?.get(login);
      if (!membership) return notFound();
      return json(200, {
        url: `${env.ctx.api}/orgs/${org}/teams/${team}/memberships/${login}`,
        role: membership.role,
        state: membership.state,
      });
    },
  },

  "repos/get-branch": {
    auth: "installation",
    handle: async (req, env) => {
      const repo = repoOf(req);
      const name = req.params["branch"] ?? "";
      const sha = await branchSha(repo.gitDir, name);
      if (!sha) return notFound("Branch not found");
      return json(200, branchShape(env.ctx, repo, name, await commitInfo(repo.gitDir, sha)));
    },
  },

  "git/get-ref": {
    auth: "installation",
    handle: async (req, env) => {
      const repo = repoOf(req);
      const ref = `refs/${(req.params["ref"] ?? "").replace(/^refs\//, "")}`;
      const sha = (await refs(repo.gitDir)).get(ref);
      if (!sha) return notFound();
      return json(200, refShape(env.ctx, repo, ref, sha));
    },
  },

  // GitHub answers every ref that starts with the given one (an empty list when none does), unpaginated.
  "git/list-matching-refs": {
    auth: "installation",
    handle: async (req, env) => {
      const repo = repoOf(req);
      const prefix = `refs/${(req.params["ref"] ?? "").replace(/^refs\//, "")}`;
      const all = [...(await refs(repo.gitDir))].filter(
        ([ref]) => ref.startsWith(prefix) && !ref.startsWith("refs/fake-github/"),
      );
      return json(
        200,
        all.map(([ref, sha]) => refShape(env.ctx, repo, ref, sha)),
      );
    },
  },

  "git/delete-ref": {
    auth: "installation",
    handle: async (req) => {
      const repo = repoOf(req);
      const ref = `refs/${(req.params["ref"] ?? "").replace(/^refs\//, "")}`;
      if (!(await refs(repo.gitDir)).has(ref)) return unprocessable([], "Reference does not exist");
      await git(repo.gitDir, ["update-ref", "-d", ref]);
      return { status: 204 };
    },
  },

  "repos/compare-commits": { auth: "installation", handle: (req, env) => compare(req, env) },
  "repos/compare-commits-with-basehead": { auth: "installation", handle: (req, env) => compare(req, env) },
};

async function compare(req: RouteRequest, env: RouteEnv): Promise<RouteResult> {
  const repo = repoOf(req);
  // GitHub's description has both /compare/{basehead} and /compare/{base}...{head}
  const basehead = req.params["basehead"] ?? `${req.params["base"] ?? ""}...${req.params["head"] ?? ""}`;
  const [baseSpec = "", headSpec = ""] = basehead.includes("...") ? basehead.split("...") : basehead.split("..");
  const base = await resolveSide(env.ctx, repo, baseSpec);
  const head = await resolveSide(env.ctx, repo, headSpec);
  if (!base || !head) return notFound();
  const mb = await mergeBase(repo.gitDir, base, head);
  if (!mb) return notFound(`No common ancestor between ${baseSpec} and ${headSpec}.`);
  const [aheadBy, behindBy, commits, files] = await Promise.all([
    countBetween(repo.gitDir, base, head),
    countBetween(repo.gitDir, head, base),
    commitsBetween(repo.gitDir, base, head),
    diffFiles(repo.gitDir, mb, head),
  ]);
  const status = base === head ? "identical" : behindBy === 0 ? "ahead" : aheadBy === 0 ? "behind" : "diverged";
  const url = `${repoApiUrl(env.ctx, repo)}/compare/${basehead}`;
  const web = `${env.ctx.web}/${repo.fullName}/compare/${basehead}`;
  return json(200, {
    url,
    html_url: web,
    permalink_url: `${env.ctx.web}/${repo.fullName}/compare/${base}...${head}`,
    diff_url: `${web}.diff`,
    patch_url: `${web}.patch`,
    base_commit: commitShape(env.ctx, repo, await commitInfo(repo.gitDir, base)),
    merge_base_commit: commitShape(env.ctx, repo, await commitInfo(repo.gitDir, mb)),
    status,
    ahead_by: aheadBy,
    behind_by: behindBy,
    total_commits: aheadBy,
    // GitHub lists at most 250 commits here
    commits: commits.slice(0, 250).map((c) => commitShape(env.ctx, repo, c)),
    files: files.map((f) => diffEntryShape(env.ctx, repo, head, f)),
  });
}

function collaboratorBase(ctx: ShapeContext, login: string) {
  const user = ctx.state.user(login);
  const url = `${ctx.api}/users/${login}`;
  return {
    login,
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
    site_admin: false,
    user_view_type: "public",
  };
}

/**
 * A side of a compare: `ref`, `owner:ref` or `owner:repo:ref`. A ref of
 * another repository (a fork) is fetched into this one first, as GitHub
 * shares objects across a fork network.
 */
async function resolveSide(ctx: ShapeContext, repo: RepoRecord, spec: string): Promise<string | null> {
  const parts = spec.split(":");
  if (parts.length === 1) return resolveCommit(repo.gitDir, spec);
  const owner = parts[0] ?? "";
  const ref = parts[parts.length - 1] ?? "";
  const name = parts.length === 3 ? (parts[1] ?? repo.name) : repo.name;
  const other =
    ctx.state.repo(`${owner}/${name}`) ??
    [...ctx.state.repos.values()].find(
      (r) =>
        r.owner.toLowerCase() === owner.toLowerCase() && (r.parent === repo.fullName || repo.parent === r.fullName),
    );
  if (!other) return null;
  if (other === repo) return resolveCommit(repo.gitDir, ref);
  const sha = await resolveCommit(other.gitDir, ref);
  if (!sha) return null;
  const source = (await branchSha(other.gitDir, ref)) === sha ? `refs/heads/${ref}` : sha;
  await fetchRef(repo.gitDir, other.gitDir, source, `refs/fake-github/compare/${other.id}`);
  return sha;
}

function refShape(ctx: ShapeContext, repo: RepoRecord, ref: string, sha: string) {
  return {
    ref,
    node_id: `REF_${Buffer.from(`${repo.fullName}:${ref}`).toString("base64url")}`,
    url: `${repoApiUrl(ctx, repo)}/git/${ref}`,
    object: { type: "commit", sha, url: `${repoApiUrl(ctx, repo)}/git/commits/${sha}` },
  };
}

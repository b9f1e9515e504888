// Repository, app, installation, branch, commit and content shapes.
import type { CommitInfo, FileChange, TreeEntry } from "../git-repo.ts";
import type { InstallationRecord, RepoRecord } from "../state.ts";
import { type Json, type ShapeContext, repoApiUrl, repoWebUrl, userShape } from "./common.ts";

export function repositoryShape(ctx: ShapeContext, repo: RepoRecord, withParent = true): Json {
  const url = repoApiUrl(ctx, repo);
  const owner = ctx.state.users.get(repo.owner);
  const shape: Json = {
    id: repo.id,
    node_id: repo.nodeId,
    name: repo.name,
    full_name: repo.fullName,
    owner: userShape(ctx, repo.owner),
    private: repo.private,
    visibility: repo.private ? "private" : "public",
    html_url: repoWebUrl(ctx, repo),
    description: repo.description,
    fork: repo.parent !== null,
    url,
    archive_url: `${url}/{archive_format}{/ref}`,
    assignees_url: `${url}/assignees{/user}`,
    blobs_url: `${url}/git/blobs{/sha}`,
    branches_url: `${url}/branches{/branch}`,
    collaborators_url: `${url}/collaborators{/collaborator}`,
    comments_url: `${url}/comments{/number}`,
    commits_url: `${url}/commits{/sha}`,
    compare_url: `${url}/compare/{base}...{head}`,
    contents_url: `${url}/contents/{+path}`,
    contributors_url: `${url}/contributors`,
    deployments_url: `${url}/deployments`,
    downloads_url: `${url}/downloads`,
    events_url: `${url}/events`,
    forks_url: `${url}/forks`,
    git_commits_url: `${url}/git/commits{/sha}`,
    git_refs_url: `${url}/git/refs{/sha}`,
    git_tags_url: `${url}/git/tags{/sha}`,
    git_url: `git://${new URL(ctx.web).host}/${repo.fullName}.git`,
    issue_comment_url: `${url}/issues/comments{/number}`,
    issue_events_url: `${url}/issues/events{/number}`,
    issues_url: `${url}/issues{/number}`,
    keys_url: `${url}/keys{/key_id}`,
    labels_url: `${url}/labels{/name}`,
    languages_url: `${url}/languages`,
    merges_url: `${url}/merges`,
    milestones_url: `${url}/milestones{/number}`,
    notifications_url: `${url}/notifications{?since,all,participating}`,
    pulls_url: `${url}/pulls{/number}`,
    releases_url: `${url}/releases{/id}`,
    ssh_url: `git@${new URL(ctx.web).hostname}:${repo.fullName}.git`,
    stargazers_url: `${url}/stargazers`,
    statuses_url: `${url}/statuses/{sha}`,
    subscribers_url: `${url}/subscribers`,
    subscription_url: `${url}/subscription`,
    tags_url: `${url}/tags`,
    teams_url: `${url}/teams`,
    trees_url: `${url}/git/trees{/sha}`,
    clone_url: `${ctx.web}/${repo.fullName}.git`,
    mirror_url: null,
    hooks_url: `${url}/hooks`,
    svn_url: repoWebUrl(ctx, repo),
    homepage: null,
    language: null,
    forks_count: 0,
    forks: 0,
    stargazers_count: 0,
    watchers_count: 0,
    watchers: 0,
    subscribers_count: 0,
    network_count: 0,
    size: 0,
    default_branch: repo.defaultBranch,
    open_issues_count: ctx.state.issues.filter((i) => i.repo === repo.fullName && i.state === "open").length,
    open_issues: ctx.state.issues.filter((i) => i.repo === repo.fullName && i.state === "open").length,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_downloads: true,
    has_discussions: false,
    archived: false,
    disabled: false,
    pushed_at: repo.pushedAt,
    created_at: repo.createdAt,
    updated_at: repo.pushedAt,
    permissions: { admin: false, maintain: false, push: true, triage: true, pull: true },
    allow_rebase_merge: true,
    allow_squash_merge: true,
    allow_merge_commit: true,
    allow_auto_merge: false,
    delete_branch_on_merge: false,
    allow_forking: true,
    web_commit_signoff_required: false,
    license: null,
  };
  if (owner?.type === "Organization") shape["organization"] = userShape(ctx, repo.owner);
  const parent = repo.parent ? ctx.state.repo(repo.parent) : undefined;
  if (withParent && parent) {
    shape["parent"] = repositoryShape(ctx, parent, false);
    shape["source"] = repositoryShape(ctx, parent, false);
  }
  return shape;
}

export function appShape(ctx: ShapeContext): Json {
  const now = "2024-01-01T00:00:00Z";
  return {
    id: ctx.app.id,
    slug: ctx.app.slug,
    node_id: `A_${ctx.app.id}`,
    client_id: `Iv1.${ctx.app.id.toString(16).padStart(16, "0")}`,
    owner: userShape(ctx, ctx.app.owner),
    name: ctx.app.name,
    description: "",
    external_url: `${ctx.web}/apps/${ctx.app.slug}`,
    html_url: `${ctx.web}/apps/${ctx.app.slug}`,
    created_at: now,
    updated_at: now,
    permissions: { checks: "write", contents: "write", issues: "write", metadata: "read", pull_requests: "write" },
    events: [
      "issues",
      "issue_comment",
      "pull_request",
      "pull_request_review",
      "pull_request_review_comment",
      "check_run",
    ],
    installations_count: ctx.state.installations.size,
  };
}

export function installationShape(ctx: ShapeContext, installation: InstallationRecord): Json {
  const account = ctx.state.users.get(installation.account);
  const now = "2024-01-01T00:00:00Z";
  return {
    id: installation.id,
    account: userShape(ctx, installation.account),
    repository_selection: installation.repositorySelection,
    access_tokens_url: `${ctx.api}/app/installations/${installation.id}/access_tokens`,
    repositories_url: `${ctx.api}/installation/repositories`,
    html_url: `${ctx.web}/organizations/${installation.account}/settings/installations/${installation.id}`,
    app_id: ctx.app.id,
    app_slug: ctx.app.slug,
    target_id: account?.id ?? 0,
    target_type: account?.type === "Organization" ? "Organization" : "User",
    permissions: installation.permissions,
    events: installation.events,
    created_at: now,
    updated_at: now,
    single_file_name: null,
    has_multiple_single_files: false,
    single_file_paths: [],
    suspended_by: null,
    suspended_at: null,
  };
}

export function commitShape(ctx: ShapeContext, repo: RepoRecord, commit: CommitInfo, files?: FileChange[]): Json {
  const url = `${repoApiUrl(ctx, repo)}/commits/${commit.sha}`;
  const shape: Json = {
    url,
    sha: commit.sha,
    node_id: `C_${commit.sha.slice(0, 20)}`,
    html_url: `${repoWebUrl(ctx, repo)}/commit/${commit.sha}`,
    comments_url: `${url}/comments`,
    commit: {
      url: `${repoApiUrl(ctx, repo)}/git/commits/${commit.sha}`,
      author: commit.author,
      committer: commit.committer,
      message: commit.message,
      comment_count: 0,
      tree: { sha: commit.tree, url: `${repoApiUrl(ctx, repo)}/git/trees/${commit.tree}` },
      verification: { verified: false, reason: "unsigned", payload: null, signature: null, verified_at: null },
    },
    // GitHub maps emails to accounts; the fake knows no emails, like a commit by an unknown author
    author: null,
    committer: null,
    parents: commit.parents.map((sha) => ({
      sha,
      url: `${repoApiUrl(ctx, repo)}/commits/${sha}`,
      html_url: `${repoWebUrl(ctx, repo)}/commit/${sha}`,
    })),
  };
  if (files) {
    const additions = files.reduce((n, f) => n + f.additions, 0);
    const deletions = files.reduce((n, f) => n + f.deletions, 0);
    shape["stats"] = { additions, deletions, total: additions + deletions };
    shape["files"] = files.map((f) => diffEntryShape(ctx, repo, commit.sha, f));
  }
  return shape;
}

export function diffEntryShape(ctx: ShapeContext, repo: RepoRecord, ref: string, change: FileChange): Json {
  const path = change.filename.split("/").map(encodeURIComponent).join("/");
  return {
    sha: change.sha,
    filename: change.filename,
    status: change.status,
    additions: change.additions,
    deletions: change.deletions,
    changes: change.additions + change.deletions,
    blob_url: `${repoWebUrl(ctx, repo)}/blob/${ref}/${path}`,
    raw_url: `${repoWebUrl(ctx, repo)}/raw/${ref}/${path}`,
    contents_url: `${repoApiUrl(ctx, repo)}/contents/${path}?ref=${ref}`,
    ...(change.patch !== undefined ? { patch: change.patch } : {}),
    ...(change.previousFilename !== undefined ? { previous_filename: change.previousFilename } : {}),
  };
}

export function branchShape(ctx: ShapeContext, repo: RepoRecord, name: string, commit: CommitInfo): Json {
  const url = `${repoApiUrl(ctx, repo)}/branches/${encodeURIComponent(name)}`;
  return {
    name,
    commit: commitShape(ctx, repo, commit),
    _links: { html: `${repoWebUrl(ctx, repo)}/tree/${name}`, self: url },
    protected: false,
    protection: { enabled: false, required_status_checks: { enforcement_level: "off", contexts: [], checks: [] } },
    protection_url: `${url}/protection`,
  };
}

function contentLinks(
  ctx: ShapeContext,
  repo: RepoRecord,
  path: string,
  ref: string,
  kind: "blob" | "tree",
  sha: string,
): Json {
  const self = `${repoApiUrl(ctx, repo)}/contents/${path}?ref=${encodeURIComponent(ref)}`;
  const html = `${repoWebUrl(ctx, repo)}/${kind}/${ref}/${path}`;
  const gitUrl = `${repoApiUrl(ctx, repo)}/git/${kind === "blob" ? "blobs" : "trees"}/${sha}`;
  return { url: self, html_url: html, git_url: gitUrl, _links: { self, html, git: gitUrl } };
}

export function fileContentShape(
  ctx: ShapeContext,
  repo: RepoRecord,
  path: string,
  ref: string,
  sha: string,
  content: Buffer,
): Json {
  const name = path.slice(path.lastIndexOf("/") + 1);
  return {
    type: "file",
    encoding: "base64",
    size: content.length,
    name,
    path,
    // GitHub wraps base64 at 60 columns
    content: (content.toString("base64").match(/.{1,60}/g) ?? [""]).join("\n") + "\n",
    sha,
    download_url: `${ctx.web}/raw/${repo.fullName}/${ref}/${path}`,
    ...contentLinks(ctx, repo, path, ref, "blob", sha),
  };
}

export function directoryEntryShape(
  ctx: ShapeContext,
  repo: RepoRecord,
  dir: string,
  ref: string,
  entry: TreeEntry,
): Json {
  const path = dir === "" ? entry.name : `${dir}/${entry.name}`;
  const type =
    entry.type === "tree"
      ? "dir"
      : entry.type === "commit"
        ? "submodule"
        : entry.mode === "120000"
          ? "symlink"
          : "file";
  return {
    type,
    size: entry.size,
    name: entry.name,
    path,
    sha: entry.sha,
    download_url: type === "file" ? `${ctx.web}/raw/${repo.fullName}/${ref}/${path}` : null,
    ...contentLinks(ctx, repo, path, ref, entry.type === "tree" ? "tree" : "blob", entry.sha),
  };
}

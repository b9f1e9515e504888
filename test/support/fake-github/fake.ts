// The fake GitHub a test holds: what it recorded, what it knows, and helpers
// to seed it (repositories with real git history, permissions, issues,
// human pull requests, reviews).
import { rm } from "node:fs/promises";
import type { Server } from "node:http";
import { join } from "node:path";
import {
  branchSha,
  cloneBare,
  commitFiles,
  initBareRepo,
  readPath,
  git,
  type CommitStep,
  type FileChanges,
  type FileTree,
} from "./git-repo.ts";
import type { GitRequestRecord, PushRecord } from "./git-bridge.ts";
import { manifestPermissions } from "./permissions.ts";
import { createPull } from "./pull-create.ts";
import { hunkFor, pullFiles } from "./pull-git.ts";
import { addReviewComment } from "./routes/pulls.ts";
import type { RouteEnv } from "./routes/types.ts";
import { failurePattern, type FailureRule, type FakeError, type RecordedRequest } from "./server.ts";
import type { Json } from "./shapes/common.ts";
import { issueCommentShape, issueShape } from "./shapes/issues.ts";
import { pullShape, reviewCommentShape, reviewShape } from "./shapes/pulls.ts";
import { installationShape, repositoryShape } from "./shapes/repo.ts";
import {
  nodeId,
  timestamp,
  type AccountType,
  type CheckRunRecord,
  type FakeState,
  type InstallationRecord,
  type IssueCommentRecord,
  type IssueRecord,
  type Permission,
  type PullRecord,
  type RepoRecord,
  type ReviewCommentRecord,
  type ReviewRecord,
  type ReviewState,
  type TeamMembershipRecord,
} from "./state.ts";

export interface RepoRef {
  owner: string;
  repo: string;
}

/** What an installation holds unless a test says otherwise: exactly app.yml's `default_permissions`. */
export const DEFAULT_INSTALLATION_PERMISSIONS: Readonly<Record<string, string>> = manifestPermissions();

export class FakeGitHub {
  /** http://127.0.0.1:<port> — the web root, and where git is served. */
  readonly url: string;
  /** 127.0.0.1:<port> — for GHE_HOST (with GHE_PROTOCOL=http). */
  readonly host: string;
  /** http://127.0.0.1:<port>/api/v3 — the REST root Probot derives from GHE_HOST. */
  readonly apiUrl: string;
  readonly graphqlUrl: string;
  readonly appId: number;
  readonly appSlug: string;
  /** The login the app's installation acts as: `<slug>[bot]`. */
  readonly botLogin: string;
  /** The installation repositories join unless told otherwise. */
  readonly installationId: number;
  readonly state: FakeState;
  /** Every HTTP request, in order. */
  readonly requests: RecordedRequest[];
  /** Requests a correct GitHub client would not send; tests assert it stays empty. */
  readonly errors: FakeError[];
  readonly gitRequests: GitRequestRecord[];
  /** Ref updates made by pushes over HTTP. */
  readonly pushes: PushRecord[];
  /** ms to load GitHub's OpenAPI description in this process (0 when already loaded) and to start. */
  readonly timings: { openapiMs: number; startMs: number };
  private readonly failures: FailureRule[];
  private readonly server: Server;
  private readonly gitRoot: string;
  private readonly env: RouteEnv;

  constructor(init: {
    server: Server;
    port: number;
    appId: number;
    appSlug: string;
    installationId: number;
    state: FakeState;
    gitRoot: string;
    env: RouteEnv;
    failures: FailureRule[];
    timings: { openapiMs: number; startMs: number };
    records: {
      requests: RecordedRequest[];
      errors: FakeError[];
      gitRequests: GitRequestRecord[];
      pushes: PushRecord[];
    };
  }) {
    this.server = init.server;
    this.host = `127.0.0.1:${init.port}`;
    this.url = `http://${this.host}`;
    this.apiUrl = `${this.url}/api/v3`;
    this.graphqlUrl = `${this.url}/api/graphql`;
    this.appId = init.appId;
    this.appSlug = init.appSlug;
    this.botLogin = `${init.appSlug}[bot]`;
    this.installationId = init.installationId;
    this.state = init.state;
    this.gitRoot = init.gitRoot;
    this.env = init.env;
    this.failures = init.failures;
    this.timings = init.timings;
    this.requests = init.records.requests;
    this.errors = init.records.errors;
    this.gitRequests = init.records.gitRequests;
    this.pushes = init.records.pushes;
  }

  /** Installation tokens issued so far (search logs and files for them). */
  get tokens(): string[] {
    return [...this.state.tokens.keys()];
  }

  /** A repository backed by a real bare git repository whose default branch holds `files`. */
  async addRepo(options: {
    owner: string;
    name: string;
    files?: FileTree;
    /** Extra commits on the default branch after the initial one. */
    commits?: CommitStep[];
    defaultBranch?: string;
    private?: boolean;
    description?: string;
    ownerType?: "User" | "Organization";
    /** The installation that covers it; false when the app is not installed there. */
    installation?: number | false;
    /** "owner/name" of the repository this one is a fork of (its history is copied). */
    forkOf?: string;
  }): Promise<RepoRecord> {
    const fullName = `${options.owner}/${options.name}`;
    if (this.state.repo(fullName)) throw new Error(`fake GitHub: ${fullName} exists already`);
    const gitDir = join(this.gitRoot, options.owner, `${options.name}.git`);
    const parent = options.forkOf ? this.state.repo(options.forkOf) : undefined;
    if (options.forkOf && !parent) throw new Error(`fake GitHub: no repository ${options.forkOf} to fork`);
    this.state.user(options.owner, options.ownerType ?? (parent ? "User" : "Organization"));
    const defaultBranch = options.defaultBranch ?? parent?.defaultBranch ?? "main";
    if (parent) {
      await cloneBare(parent.gitDir, gitDir);
      for (const step of options.commits ?? []) await commitFiles(gitDir, { branch: defaultBranch, ...step });
    } else {
      await initBareRepo(gitDir, {
        files: options.files ?? { "README.md": `# ${options.name}\n` },
        defaultBranch,
        ...(options.commits ? { commits: options.commits } : {}),
      });
    }
    const installationId =
      options.installation === false ? null : (options.installation ?? (parent ? null : this.installationId));
    if (installationId !== null) {
      const installation = this.state.installations.get(installationId);
      if (!installation) throw new Error(`fake GitHub: no installation ${installationId}; addInstallation first`);
      if (installation.account === "") installation.account = options.owner;
    }
    const id = this.state.id();
    const now = timestamp();
    const record: RepoRecord = {
      id,
      nodeId: nodeId("R", id),
      owner: options.owner,
      name: options.name,
      fullName,
      private: options.private ?? false,
      defaultBranch,
      description: options.description ?? null,
      gitDir,
      installationId,
      parent: parent?.fullName ?? null,
      createdAt: now,
      pushedAt: now,
    };
    this.state.repos.set(fullName.toLowerCase(), record);
    return record;
  }

  addInstallation(options: {
    id: number;
    account: string;
    accountType?: AccountType;
    repositorySelection?: "all" | "selected";
    permissions?: Record<string, string>;
  }): InstallationRecord {
    this.state.user(options.account, options.accountType ?? "Organization");
    const installation: InstallationRecord = {
      id: options.id,
      account: options.account,
      repositorySelection: options.repositorySelection ?? "selected",
      permissions: options.permissions ?? { ...DEFAULT_INSTALLATION_PERMISSIONS },
      events: [
        "issues",
        "issue_comment",
        "pull_request",
        "pull_request_review",
        "pull_request_review_comment",
        "check_run",
      ],
    };
    this.state.installations.set(options.id, installation);
    return installation;
  }

  addUser(login: string, type: AccountType = "User"): void {
    this.state.user(login, type);
  }

  setPermission(owner: string, repo: string, login: string, permission: Permission): void {
    const record = this.repoOrThrow({ owner, repo });
    this.state.user(login);
    let map = this.state.permissions.get(record.fullName);
    if (!map) this.state.permissions.set(record.fullName, (map = new Map()));
    map.set(login, permission);
  }

  addTeamMember(org: string, team: string, login: string, membership: Partial<TeamMembershipRecord> = {}): void {
    const key = `${org}/${team}`.toLowerCase();
    let map = this.state.teams.get(key);
    if (!map) this.state.teams.set(key, (map = new Map()));
    map.set(login, { role: membership.role ?? "member", state: membership.state ?? "active" });
  }

  addIssue(
    options: RepoRef & {
      title: string;
      body?: string | null;
      user?: string;
      labels?: string[];
      state?: "open" | "closed";
    },
  ): IssueRecord {
    const repo = this.repoOrThrow(options);
    const now = timestamp();
    const id = this.state.id();
    const issue: IssueRecord = {
      repo: repo.fullName,
      number: this.state.nextIssueNumber(repo.fullName),
      id,
      nodeId: nodeId("I", id),
      title: options.title,
      body: options.body ?? null,
      user: options.user ?? "octocat",
      state: options.state ?? "open",
      stateReason: options.state === "closed" ? "completed" : null,
      labels: [...(options.labels ?? [])],
      assignees: [],
      locked: false,
      isPullRequest: false,
      createdAt: now,
      updatedAt: now,
      closedAt: options.state === "closed" ? now : null,
    };
    this.state.user(issue.user);
    this.state.issues.push(issue);
    return issue;
  }

  addIssueComment(options: RepoRef & { issueNumber: number; user: string; body: string }): IssueCommentRecord {
    const repo = this.repoOrThrow(options);
    if (!this.state.issue(repo.fullName, options.issueNumber))
      throw new Error(`fake GitHub: no issue ${repo.fullName}#${options.issueNumber}`);
    const id = this.state.id();
    const now = timestamp();
    const comment: IssueCommentRecord = {
      id,
      nodeId: nodeId("IC", id),
      repo: repo.fullName,
      issueNumber: options.issueNumber,
      body: options.body,
      user: options.user,
      createdAt: now,
      updatedAt: now,
    };
    this.state.issueComments.push(comment);
    return comment;
  }

  /** A check run already on `sha`, made by `appId` (a CI's, or the app's own from an earlier try). */
  addCheckRun(
    options: RepoRef & {
      sha: string;
      name: string;
      appId: number;
      conclusion?: CheckRunRecord["conclusion"];
      externalId?: string;
    },
  ): CheckRunRecord {
    const repo = this.repoOrThrow(options);
    const id = this.state.id();
    const conclusion = options.conclusion ?? null;
    const run: CheckRunRecord = {
      id,
      nodeId: nodeId("CR", id),
      repo: repo.fullName,
      headSha: options.sha,
      name: options.name,
      status: conclusion ? "completed" : "in_progress",
      conclusion,
      startedAt: timestamp(),
      completedAt: conclusion ? timestamp() : null,
      externalId: options.externalId ?? null,
      detailsUrl: null,
      output: { title: null, summary: null, text: null, annotationsCount: 0 },
      appId: options.appId,
    };
    this.state.checkRuns.push(run);
    return run;
  }

  /** Commits `files` to `branch` (made from `from`, default the default branch, when new) without any HTTP. */
  async commit(
    options: RepoRef & {
      branch: string;
      files: FileChanges;
      message?: string;
      from?: string;
      author?: { name: string; email: string };
    },
  ): Promise<string> {
    const repo = this.repoOrThrow(options);
    const exists = (await branchSha(repo.gitDir, options.branch)) !== null;
    const from = options.from ?? (exists ? undefined : repo.defaultBranch);
    return commitFiles(repo.gitDir, {
      branch: options.branch,
      files: options.files,
      message: options.message ?? `Update ${Object.keys(options.files).join(", ")}`,
      ...(from !== undefined ? { from } : {}),
      ...(options.author ? { author: options.author } : {}),
    });
  }

  /** A pull request opened by a person; `head` is a branch of `headRepo` (default: the base repository). */
  async addPullRequest(
    options: RepoRef & {
      title: string;
      body?: string | null;
      user: string;
      head: string;
      headRepo?: string;
      base?: string;
      draft?: boolean;
      maintainerCanModify?: boolean;
    },
  ): Promise<PullRecord> {
    const repo = this.repoOrThrow(options);
    const headRepo = options.headRepo ? this.state.repo(options.headRepo) : repo;
    if (!headRepo) throw new Error(`fake GitHub: no repository ${options.headRepo ?? ""}`);
    const made = await createPull(this.state, repo, {
      title: options.title,
      body: options.body ?? null,
      user: options.user,
      head: headRepo === repo ? options.head : `${headRepo.owner}:${options.head}`,
      ...(headRepo !== repo && headRepo.name !== repo.name ? { headRepoName: headRepo.name } : {}),
      base: options.base ?? repo.defaultBranch,
      draft: options.draft ?? false,
      maintainerCanModify: options.maintainerCanModify ?? false,
    });
    if ("refused" in made)
      throw new Error(
        `fake GitHub: cannot open that pull request: ${made.refused.message ?? `${made.refused.field ?? ""} ${made.refused.code}`}`,
      );
    this.state.user(options.user);
    return made.pull;
  }

  /** A submitted review, with its inline comments (each opens a thread). */
  async addReview(
    options: RepoRef & {
      pullNumber: number;
      user: string;
      state: Exclude<ReviewState, "PENDING">;
      body?: string;
      comments?: { path: string; line: number | null; body: string; side?: "LEFT" | "RIGHT" }[];
    },
  ): Promise<ReviewRecord & { comments: ReviewCommentRecord[] }> {
    const pull = this.pullOrThrow(options);
    const { facts } = await pullFiles(this.state, pull);
    const id = this.state.id();
    const review: ReviewRecord = {
      id,
      nodeId: nodeId("PRR", id),
      repo: pull.repo,
      pullNumber: pull.number,
      user: options.user,
      body: options.body ?? "",
      state: options.state,
      commitId: facts.headSha,
      submittedAt: timestamp(),
    };
    this.state.user(options.user);
    this.state.reviews.push(review);
    const comments: ReviewCommentRecord[] = [];
    for (const c of options.comments ?? [])
      comments.push(await this.addReviewComment({ ...options, ...c, reviewId: review.id }));
    return Object.assign(review, { comments });
  }

  /** An inline comment (a new thread), or a reply when `inReplyTo` names a comment of the thread. */
  async addReviewComment(
    options: RepoRef & {
      pullNumber: number;
      user: string;
      path: string;
      line: number | null;
      body: string;
      side?: "LEFT" | "RIGHT";
      inReplyTo?: number;
      reviewId?: number;
    },
  ): Promise<ReviewCommentRecord> {
    const pull = this.pullOrThrow(options);
    const { files, facts } = await pullFiles(this.state, pull);
    const side = options.side ?? "RIGHT";
    const root =
      options.inReplyTo === undefined ? undefined : this.state.reviewComments.find((c) => c.id === options.inReplyTo);
    if (options.inReplyTo !== undefined && !root)
      throw new Error(`fake GitHub: no review comment ${options.inReplyTo}`);
    this.state.user(options.user);
    return addReviewComment(this.env, pull, {
      user: options.user,
      body: options.body,
      path: options.path,
      line: options.line,
      side,
      diffHunk: hunkFor(files.find((f) => f.filename === options.path)?.patch, options.line, side),
      commitId: facts.headSha,
      ...(root ? { inReplyTo: root } : {}),
      ...(options.reviewId !== undefined ? { reviewId: options.reviewId } : {}),
    });
  }

  /** Many threads at once (the diff is read once): each `{ path, line, bodies }` is a thread whose first body opens it and the rest reply. */
  async addReviewThreads(
    options: RepoRef & {
      pullNumber: number;
      user: string;
      threads: { path: string; line: number; bodies: string[] }[];
    },
  ): Promise<ReviewCommentRecord[][]> {
    const pull = this.pullOrThrow(options);
    const { files, facts } = await pullFiles(this.state, pull);
    this.state.user(options.user);
    return options.threads.map((t) => {
      const made: ReviewCommentRecord[] = [];
      for (const body of t.bodies) {
        const root = made[0];
        made.push(
          addReviewComment(this.env, pull, {
            user: options.user,
            body,
            path: t.path,
            line: t.line,
            side: "RIGHT",
            diffHunk: hunkFor(files.find((f) => f.filename === t.path)?.patch, t.line, "RIGHT"),
            commitId: facts.headSha,
            ...(root ? { inReplyTo: root } : {}),
          }),
        );
      }
      return made;
    });
  }

  /**
   * The next `times` requests matching `method` ("*" for any) and `path`
   * (a RegExp, or a template like "/repos/{owner}/{repo}/pulls"; REST paths
   * are matched below /api/v3) get `status` instead of an answer.
   */
  failNext(
    method: string,
    path: string | RegExp,
    status: number,
    times = 1,
    options: { retryAfter?: number; message?: string } = {},
  ): void {
    this.failures.push({
      method: method.toUpperCase(),
      pattern: failurePattern(path),
      status,
      remaining: times,
      ...options,
    });
  }

  /**
   * GitHub's own failures for the next `times` requests matching `method` and
   * `path` (as in failNext): a primary or secondary rate limit (`seconds` until
   * the reset / in `retry-after`), or a lost answer — the request is carried out
   * and the client gets a 502, as GitHub does under load.
   */
  fault(
    method: string,
    path: string | RegExp,
    fault:
      | { kind: "primary-rate-limit"; status?: 403 | 429; seconds?: number }
      | { kind: "secondary-rate-limit"; seconds?: number }
      | { kind: "lost-answer" },
    times = 1,
  ): void {
    const status =
      fault.kind === "lost-answer" ? 502 : fault.kind === "primary-rate-limit" ? (fault.status ?? 403) : 403;
    const seconds = "seconds" in fault ? fault.seconds : undefined;
    this.failures.push({
      method: method.toUpperCase(),
      pattern: failurePattern(path),
      status,
      remaining: times,
      kind: fault.kind,
      ...(seconds !== undefined ? { retryAfter: seconds } : {}),
    });
  }

  /** Branch protection that requires pull requests: a direct push to `branch` is refused with GH006. */
  protectBranch(owner: string, repo: string, branch: string): void {
    const record = this.repoOrThrow({ owner, repo });
    record.protectedBranches = [...(record.protectedBranches ?? []), branch];
  }

  /** A pre-receive hook (as on GitHub Enterprise) that refuses every push with `message`; null removes it. */
  refusePushes(owner: string, repo: string, message: string | null): void {
    const record = this.repoOrThrow({ owner, repo });
    if (message === null) delete record.preReceiveRefusal;
    else record.preReceiveRefusal = message;
  }

  /** Makes every issued token expire now (to test refresh). */
  expireTokens(): void {
    for (const token of this.state.tokens.values()) token.expiresAt = Date.now() - 1;
  }

  async branchSha(owner: string, repo: string, branch: string): Promise<string | null> {
    return branchSha(this.repoOrThrow({ owner, repo }).gitDir, branch);
  }

  /** A file's text at `ref` (a branch, tag or sha) in the served repository, or null. */
  async readFile(owner: string, repo: string, ref: string, path: string): Promise<string | null> {
    const found = await readPath(this.repoOrThrow({ owner, repo }).gitDir, ref, path);
    return found?.kind === "file" ? found.content.toString("utf8") : null;
  }

  /** Runs git in a served bare repository (e.g. `log`, `show`) for assertions. */
  async git(owner: string, repo: string, args: string[]): Promise<string> {
    return (await git(this.repoOrThrow({ owner, repo }).gitDir, args)).toString("utf8");
  }

  // GitHub's JSON for webhook payloads, consistent with what the REST API answers

  repositoryJson(owner: string, repo: string): Json {
    return repositoryShape(this.env.ctx, this.repoOrThrow({ owner, repo }));
  }

  installationJson(id = this.installationId): Json {
    const installation = this.state.installations.get(id);
    if (!installation) throw new Error(`fake GitHub: no installation ${id}`);
    return installationShape(this.env.ctx, installation);
  }

  issueJson(owner: string, repo: string, number: number): Json {
    const record = this.repoOrThrow({ owner, repo });
    const issue = this.state.issue(record.fullName, number);
    if (!issue) throw new Error(`fake GitHub: no issue ${record.fullName}#${number}`);
    return issueShape(this.env.ctx, record, issue);
  }

  async pullJson(owner: string, repo: string, number: number): Promise<Json> {
    const pull = this.pullOrThrow({ owner, repo, pullNumber: number });
    const record = this.repoOrThrow({ owner, repo });
    const issue = this.state.issue(record.fullName, number);
    if (!issue) throw new Error("pull without issue");
    return pullShape(this.env.ctx, record, pull, issue, (await pullFiles(this.state, pull)).facts);
  }

  issueCommentJson(owner: string, repo: string, id: number): Json {
    const record = this.repoOrThrow({ owner, repo });
    const comment = this.state.issueComments.find((c) => c.id === id);
    if (!comment) throw new Error(`fake GitHub: no issue comment ${id}`);
    return issueCommentShape(this.env.ctx, record, comment);
  }

  reviewJson(owner: string, repo: string, id: number): Json {
    const record = this.repoOrThrow({ owner, repo });
    const review = this.state.reviews.find((r) => r.id === id);
    if (!review) throw new Error(`fake GitHub: no review ${id}`);
    return reviewShape(this.env.ctx, record, review);
  }

  reviewCommentJson(owner: string, repo: string, id: number): Json {
    const record = this.repoOrThrow({ owner, repo });
    const comment = this.state.reviewComments.find((c) => c.id === id);
    if (!comment) throw new Error(`fake GitHub: no review comment ${id}`);
    return reviewCommentShape(this.env.ctx, record, comment);
  }

  /** Stops the server and deletes the repositories. */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await rm(this.gitRoot, { recursive: true, force: true });
  }

  private repoOrThrow(ref: RepoRef): RepoRecord {
    const repo = this.state.repo(`${ref.owner}/${ref.repo}`);
    if (!repo) throw new Error(`fake GitHub: no repository ${ref.owner}/${ref.repo}; addRepo first`);
    return repo;
  }

  private pullOrThrow(ref: RepoRef & { pullNumber: number }): PullRecord {
    const repo = this.repoOrThrow(ref);
    const pull = this.state.pull(repo.fullName, ref.pullNumber);
    if (!pull) throw new Error(`fake GitHub: no pull request ${repo.fullName}#${ref.pullNumber}`);
    return pull;
  }
}

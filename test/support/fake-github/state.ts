// The fake's memory: plain records that tests can read directly. Git content
// is not here — it lives in real bare repositories (see git-repo.ts).

export type Permission = "read" | "triage" | "write" | "maintain" | "admin";
export type AccountType = "User" | "Organization" | "Bot";

export interface UserRecord {
  login: string;
  id: number;
  nodeId: string;
  type: AccountType;
}

export interface RepoRecord {
  id: number;
  nodeId: string;
  owner: string;
  name: string;
  fullName: string;
  private: boolean;
  defaultBranch: string;
  description: string | null;
  /** Absolute path of the bare repository served over smart HTTP. */
  gitDir: string;
  /** The installation that can act on this repository; null when the app is not installed on it. */
  installationId: number | null;
  /** full name of the parent when this repository is a fork. */
  parent: string | null;
  createdAt: string;
  pushedAt: string;
  /** Branches that refuse direct pushes (GH006), like branch protection requiring pull requests. */
  protectedBranches?: string[];
  /** When set, every push is refused by a pre-receive hook printing this (as an enterprise's hook would). */
  preReceiveRefusal?: string;
}

export interface InstallationRecord {
  id: number;
  account: string;
  /** "all" when installed on every repository of `account`; coverage itself is RepoRecord.installationId. */
  repositorySelection: "all" | "selected";
  permissions: Record<string, string>;
  events: string[];
}

export interface TokenRecord {
  token: string;
  installationId: number;
  expiresAt: number;
  /** When the token was narrowed to some repositories (full names). */
  repositories: Set<string> | null;
  permissions: Record<string, string>;
}

export interface IssueRecord {
  repo: string;
  number: number;
  id: number;
  nodeId: string;
  title: string;
  body: string | null;
  user: string;
  state: "open" | "closed";
  stateReason: "completed" | "reopened" | "not_planned" | null;
  labels: string[];
  assignees: string[];
  locked: boolean;
  isPullRequest: boolean;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
}

export interface LabelRecord {
  id: number;
  nodeId: string;
  repo: string;
  name: string;
  color: string;
  description: string | null;
}

export interface IssueCommentRecord {
  id: number;
  nodeId: string;
  repo: string;
  issueNumber: number;
  body: string;
  user: string;
  createdAt: string;
  updatedAt: string;
}

export type ReactionContent = "+1" | "-1" | "laugh" | "confused" | "heart" | "hooray" | "rocket" | "eyes";

export interface ReactionRecord {
  id: number;
  nodeId: string;
  repo: string;
  subject: { kind: "issue"; number: number } | { kind: "issue_comment" | "review_comment"; id: number };
  content: ReactionContent;
  user: string;
  createdAt: string;
}

export interface PullRecord {
  repo: string;
  number: number;
  id: number;
  nodeId: string;
  /** Repository (full name) holding the head branch: differs from `repo` for a fork. */
  headRepo: string;
  headRef: string;
  baseRef: string;
  draft: boolean;
  maintainerCanModify: boolean;
  merged: boolean;
  mergedAt: string | null;
}

export type ReviewState = "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED" | "PENDING";

export interface ReviewRecord {
  id: number;
  nodeId: string;
  repo: string;
  pullNumber: number;
  user: string;
  body: string;
  state: ReviewState;
  commitId: string | null;
  submittedAt: string | null;
}

export interface ReviewCommentRecord {
  id: number;
  nodeId: string;
  repo: string;
  pullNumber: number;
  reviewId: number | null;
  threadId: string;
  user: string;
  body: string;
  path: string;
  line: number | null;
  startLine: number | null;
  side: "LEFT" | "RIGHT";
  diffHunk: string;
  commitId: string;
  originalCommitId: string;
  inReplyToId: number | null;
  createdAt: string;
  updatedAt: string;
}

export interface ReviewThreadRecord {
  /** GraphQL node id (PRRT_…). */
  id: string;
  repo: string;
  pullNumber: number;
  path: string;
  line: number | null;
  resolved: boolean;
  resolvedBy: string | null;
  /** Comment ids in order; the first one started the thread. */
  commentIds: number[];
}

export interface CheckRunRecord {
  id: number;
  nodeId: string;
  repo: string;
  headSha: string;
  name: string;
  status: "queued" | "in_progress" | "completed" | "waiting" | "requested" | "pending";
  conclusion: "success" | "failure" | "neutral" | "cancelled" | "skipped" | "timed_out" | "action_required" | null;
  startedAt: string | null;
  completedAt: string | null;
  externalId: string | null;
  detailsUrl: string | null;
  output: { title: string | null; summary: string | null; text: string | null; annotationsCount: number };
  appId: number;
}

export interface TeamMembershipRecord {
  role: "member" | "maintainer";
  state: "active" | "pending";
}

/** GitHub's timestamps: ISO 8601 to the second. */
export function timestamp(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export class FakeState {
  readonly users = new Map<string, UserRecord>();
  readonly repos = new Map<string, RepoRecord>();
  readonly installations = new Map<number, InstallationRecord>();
  readonly tokens = new Map<string, TokenRecord>();
  readonly issues: IssueRecord[] = [];
  readonly labels: LabelRecord[] = [];
  readonly issueComments: IssueCommentRecord[] = [];
  readonly reactions: ReactionRecord[] = [];
  readonly pulls: PullRecord[] = [];
  readonly reviews: ReviewRecord[] = [];
  readonly reviewComments: ReviewCommentRecord[] = [];
  readonly reviewThreads: ReviewThreadRecord[] = [];
  readonly checkRuns: CheckRunRecord[] = [];
  /** repo full name → login → permission. */
  readonly permissions = new Map<string, Map<string, Permission>>();
  /** "org/team-slug" → login → membership. */
  readonly teams = new Map<string, Map<string, TeamMembershipRecord>>();
  private nextId = 1000;

  /** Ids are unique across kinds, like GitHub's database ids look to a client. */
  id(): number {
    return this.nextId++;
  }

  user(login: string, type?: AccountType): UserRecord {
    let user = this.users.get(login);
    if (!user) {
      const id = this.id();
      const kind = type ?? (login.endsWith("[bot]") ? "Bot" : "User");
      user = {
        login,
        id,
        type: kind,
        nodeId: nodeId(kind === "Organization" ? "O" : kind === "Bot" ? "BOT" : "U", id),
      };
      this.users.set(login, user);
    } else if (type && user.type !== type) {
      user.type = type;
    }
    return user;
  }

  repo(fullName: string): RepoRecord | undefined {
    return this.repos.get(fullName.toLowerCase());
  }

  issue(repo: string, number: number): IssueRecord | undefined {
    return this.issues.find((i) => i.repo === repo && i.number === number);
  }

  pull(repo: string, number: number): PullRecord | undefined {
    return this.pulls.find((p) => p.repo === repo && p.number === number);
  }

  nextIssueNumber(repo: string): number {
    return this.issues.filter((i) => i.repo === repo).reduce((max, i) => Math.max(max, i.number), 0) + 1;
  }

  permissionOf(repo: string, login: string): Permission | "none" {
    return this.permissions.get(repo)?.get(login) ?? "none";
  }

  installationCovers(installationId: number, repo: RepoRecord): boolean {
    return this.installations.has(installationId) && repo.installationId === installationId;
  }
}

/** A GraphQL-style global id; the prefix says the type, like GitHub's. */
export function nodeId(prefix: string, id: number): string {
  return `${prefix}_kw${Buffer.from(`${prefix}:${id}`).toString("base64url")}`;
}

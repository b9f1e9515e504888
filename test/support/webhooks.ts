// Webhook deliveries for tests: real payload shapes from
// @octokit/webhooks-examples, retargeted at a test repository (and, given a
// fake GitHub, filled with its own JSON so REST and webhook agree), signed
// like GitHub signs them, and POSTed over HTTP to the app.
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { sign } from "@octokit/webhooks-methods";
import type { FakeGitHub } from "./fake-github.ts";

type Json = Record<string, unknown>;

interface ExampleDefinition {
  name: string;
  examples: Json[];
}

const require = createRequire(import.meta.url);
let examples: ExampleDefinition[] | undefined;

function definitions(): ExampleDefinition[] {
  examples ??= require("@octokit/webhooks-examples/api.github.com/index.json") as ExampleDefinition[];
  return examples;
}

/** Who and where a delivery is about. */
export interface WebhookTarget {
  repo: {
    owner: string;
    name: string;
    id?: number;
    private?: boolean;
    defaultBranch?: string;
    ownerType?: "User" | "Organization";
    /** A whole repository object (e.g. fake.repositoryJson()) to send as-is. */
    json?: Json;
  };
  installationId: number;
  sender: Actor;
  /** Web root for html_url links; default https://github.com. */
  webUrl?: string;
  /** REST root for url links; default https://api.github.com. */
  apiUrl?: string;
}

export interface Actor {
  login: string;
  id?: number;
  type?: "User" | "Bot" | "Organization";
}

export interface Delivery {
  event: string;
  payload: Json;
}

/** A target pointing at a repository of the fake, sent by `sender`. */
export function fakeTarget(fake: FakeGitHub, owner: string, name: string, sender: Actor | string): WebhookTarget {
  const record = fake.state.repo(`${owner}/${name}`);
  if (!record) throw new Error(`webhooks: the fake has no repository ${owner}/${name}`);
  const who = typeof sender === "string" ? { login: sender } : sender;
  const known = fake.state.users.get(who.login);
  return {
    repo: {
      owner: record.owner,
      name: record.name,
      id: record.id,
      private: record.private,
      defaultBranch: record.defaultBranch,
      json: fake.repositoryJson(owner, name),
    },
    installationId: record.installationId ?? fake.installationId,
    sender: {
      ...who,
      ...(known && who.id === undefined ? { id: known.id } : {}),
      ...(known && who.type === undefined ? { type: known.type } : {}),
    },
    webUrl: fake.url,
    apiUrl: fake.apiUrl,
  };
}

function pick(event: string, action: string | undefined): Json {
  const definition = definitions().find((d) => d.name === event);
  if (!definition) throw new Error(`webhooks: no examples for event ${event}`);
  const matching = definition.examples.filter((e) => action === undefined || e["action"] === action);
  // prefer an example that already carries an installation, as deliveries to apps do
  const chosen = matching.find((e) => e["installation"]) ?? matching[0] ?? definition.examples[0];
  if (!chosen) throw new Error(`webhooks: no example for ${event}.${action ?? ""}`);
  return structuredClone(chosen);
}

/** Points every URL and name of the example's repository at the target. */
function retarget(value: unknown, from: { fullName: string }, target: WebhookTarget): unknown {
  const api = (target.apiUrl ?? "https://api.github.com").replace(/\/$/, "");
  const web = (target.webUrl ?? "https://github.com").replace(/\/$/, "");
  const host = new URL(web).host;
  const full = `${target.repo.owner}/${target.repo.name}`;
  const rewrite = (s: string) =>
    s
      .split(`https://api.github.com/repos/${from.fullName}`)
      .join(`${api}/repos/${full}`)
      .split("https://api.github.com")
      .join(api)
      .split(`https://github.com/${from.fullName}`)
      .join(`${web}/${full}`)
      .split("https://github.com")
      .join(web)
      .split(`git://github.com/${from.fullName}`)
      .join(`git://${host}/${full}`)
      .split(`git@github.com:${from.fullName}`)
      .join(`git@${host}:${full}`);
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return rewrite(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value);
}

function userJson(template: unknown, actor: Actor, target: WebhookTarget): Json {
  const web = (target.webUrl ?? "https://github.com").replace(/\/$/, "");
  const api = (target.apiUrl ?? "https://api.github.com").replace(/\/$/, "");
  const base = template && typeof template === "object" ? (template as Json) : {};
  const id = actor.id ?? stableId(actor.login);
  return {
    ...base,
    login: actor.login,
    id,
    node_id: `U_${id}`,
    avatar_url: `${web}/avatars/u/${id}`,
    url: `${api}/users/${encodeURIComponent(actor.login)}`,
    html_url: `${web}/${actor.login}`,
    type: actor.type ?? (actor.login.endsWith("[bot]") ? "Bot" : "User"),
    site_admin: false,
  };
}

/** The same login always gets the same id, so payloads are reproducible. */
function stableId(login: string): number {
  let h = 7;
  for (const c of login) h = (h * 31 + c.charCodeAt(0)) % 9_000_000;
  return 1_000_000 + h;
}

function base(event: string, action: string | undefined, target: WebhookTarget): Json {
  const example = pick(event, action);
  const exampleRepo = example["repository"] as Json | undefined;
  const fullName = typeof exampleRepo?.["full_name"] === "string" ? exampleRepo["full_name"] : "Codertocat/Hello-World";
  const payload = retarget(example, { fullName }, target) as Json;
  if (action !== undefined) payload["action"] = action;
  const owner: Actor = { login: target.repo.owner, type: target.repo.ownerType ?? "Organization" };
  payload["repository"] = target.repo.json ?? {
    ...(payload["repository"] as Json),
    id: target.repo.id ?? stableId(`${target.repo.owner}/${target.repo.name}`),
    node_id: `R_${target.repo.id ?? stableId(`${target.repo.owner}/${target.repo.name}`)}`,
    name: target.repo.name,
    full_name: `${target.repo.owner}/${target.repo.name}`,
    owner: userJson((payload["repository"] as Json | undefined)?.["owner"], owner, target),
    private: target.repo.private ?? false,
    default_branch: target.repo.defaultBranch ?? "main",
    master_branch: target.repo.defaultBranch ?? "main",
  };
  const repoOwner = (payload["repository"] as Json)["owner"] as Json | undefined;
  if (repoOwner?.["type"] === "Organization")
    payload["organization"] = {
      login: repoOwner["login"],
      id: repoOwner["id"],
      node_id: repoOwner["node_id"],
      url: `${(target.apiUrl ?? "https://api.github.com").replace(/\/$/, "")}/orgs/${String(repoOwner["login"])}`,
    };
  else delete payload["organization"];
  payload["sender"] = userJson(payload["sender"], target.sender, target);
  payload["installation"] = {
    id: target.installationId,
    node_id: `MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u${target.installationId}`,
  };
  return payload;
}

export interface IssueInput {
  number: number;
  title?: string;
  body?: string | null;
  user?: Actor;
  labels?: string[];
  /** The issue is a pull request (issue_comment on a PR conversation). */
  isPullRequest?: boolean;
  /** A whole issue object (e.g. fake.issueJson()) to send as-is. */
  json?: Json;
}

function issueJson(template: unknown, input: IssueInput, target: WebhookTarget): Json {
  if (input.json) return input.json;
  const api = (target.apiUrl ?? "https://api.github.com").replace(/\/$/, "");
  const web = (target.webUrl ?? "https://github.com").replace(/\/$/, "");
  const full = `${target.repo.owner}/${target.repo.name}`;
  const issue: Json = {
    ...(template as Json),
    number: input.number,
    id: stableId(`${full}#${input.number}`),
    node_id: `I_${stableId(`${full}#${input.number}`)}`,
    url: `${api}/repos/${full}/issues/${input.number}`,
    html_url: `${web}/${full}/${input.isPullRequest ? "pull" : "issues"}/${input.number}`,
    title: input.title ?? "Example issue",
    body: input.body ?? null,
    user: userJson((template as Json | undefined)?.["user"], input.user ?? { login: "octocat" }, target),
    labels: (input.labels ?? []).map((name) => ({
      id: stableId(name),
      node_id: `LA_${stableId(name)}`,
      url: `${api}/repos/${full}/labels/${encodeURIComponent(name)}`,
      name,
      color: "ededed",
      default: false,
      description: null,
    })),
    state: "open",
  };
  if (input.isPullRequest) {
    issue["pull_request"] = {
      url: `${api}/repos/${full}/pulls/${input.number}`,
      html_url: `${web}/${full}/pull/${input.number}`,
      diff_url: `${web}/${full}/pull/${input.number}.diff`,
      patch_url: `${web}/${full}/pull/${input.number}.patch`,
      merged_at: null,
    };
  } else delete issue["pull_request"];
  return issue;
}

/** `issues` events: labeled (give `label`), opened, edited, closed, … */
export function issuesEvent(
  action: string,
  target: WebhookTarget,
  input: { issue: IssueInput; label?: string },
): Delivery {
  const payload = base("issues", action, target);
  payload["issue"] = issueJson(payload["issue"], input.issue, target);
  if (input.label !== undefined) {
    const api = (target.apiUrl ?? "https://api.github.com").replace(/\/$/, "");
    payload["label"] = {
      id: stableId(input.label),
      node_id: `LA_${stableId(input.label)}`,
      url: `${api}/repos/${target.repo.owner}/${target.repo.name}/labels/${encodeURIComponent(input.label)}`,
      name: input.label,
      color: "ededed",
      default: false,
      description: null,
    };
  } else delete payload["label"];
  return { event: "issues", payload };
}

export interface CommentInput {
  id?: number;
  body: string;
  user?: Actor;
  /** A whole comment object (e.g. fake.issueCommentJson()). */
  json?: Json;
}

/** `issue_comment` events (created, edited with `previousBody`, deleted) on an issue or a PR conversation. */
export function issueCommentEvent(
  action: "created" | "edited" | "deleted",
  target: WebhookTarget,
  input: { issue: IssueInput; comment: CommentInput; previousBody?: string },
): Delivery {
  const payload = base("issue_comment", action, target);
  payload["issue"] = issueJson(payload["issue"], input.issue, target);
  const api = (target.apiUrl ?? "https://api.github.com").replace(/\/$/, "");
  const web = (target.webUrl ?? "https://github.com").replace(/\/$/, "");
  const full = `${target.repo.owner}/${target.repo.name}`;
  const id = input.comment.id ?? stableId(`${full}#${input.issue.number}:${input.comment.body}`);
  payload["comment"] = input.comment.json ?? {
    ...(payload["comment"] as Json),
    id,
    node_id: `IC_${id}`,
    url: `${api}/repos/${full}/issues/comments/${id}`,
    html_url: `${web}/${full}/${input.issue.isPullRequest ? "pull" : "issues"}/${input.issue.number}#issuecomment-${id}`,
    issue_url: `${api}/repos/${full}/issues/${input.issue.number}`,
    body: input.comment.body,
    user: userJson((payload["comment"] as Json | undefined)?.["user"], input.comment.user ?? target.sender, target),
  };
  if (action === "edited") payload["changes"] = { body: { from: input.previousBody ?? "" } };
  else delete payload["changes"];
  return { event: "issue_comment", payload };
}

export interface PullInput {
  number: number;
  title?: string;
  body?: string | null;
  headRef?: string;
  baseRef?: string;
  headSha?: string;
  user?: Actor;
  draft?: boolean;
  merged?: boolean;
  /** A whole pull request object (e.g. await fake.pullJson()). */
  json?: Json;
}

function pullJson(template: unknown, input: PullInput, target: WebhookTarget): Json {
  if (input.json) return input.json;
  const t = (template ?? {}) as Json;
  const api = (target.apiUrl ?? "https://api.github.com").replace(/\/$/, "");
  const web = (target.webUrl ?? "https://github.com").replace(/\/$/, "");
  const full = `${target.repo.owner}/${target.repo.name}`;
  const side = (which: "head" | "base", ref: string, sha: string) => ({
    ...(t[which] as Json),
    ref,
    sha,
    label: `${target.repo.owner}:${ref}`,
  });
  return {
    ...t,
    number: input.number,
    id: stableId(`${full}!${input.number}`),
    node_id: `PR_${stableId(`${full}!${input.number}`)}`,
    url: `${api}/repos/${full}/pulls/${input.number}`,
    html_url: `${web}/${full}/pull/${input.number}`,
    title: input.title ?? "Example pull request",
    body: input.body ?? null,
    user: userJson(t["user"], input.user ?? target.sender, target),
    draft: input.draft ?? false,
    merged: input.merged ?? false,
    state: "open",
    head: side("head", input.headRef ?? "feature", input.headSha ?? "0".repeat(40)),
    base: side("base", input.baseRef ?? target.repo.defaultBranch ?? "main", "0".repeat(40)),
  };
}

/** `pull_request` events: opened, closed (merged or not), synchronize, ready_for_review, … */
export function pullRequestEvent(action: string, target: WebhookTarget, input: { pullRequest: PullInput }): Delivery {
  const payload = base("pull_request", action, target);
  payload["pull_request"] = pullJson(payload["pull_request"], input.pullRequest, target);
  payload["number"] = input.pullRequest.number;
  if (action === "closed" && !input.pullRequest.json) (payload["pull_request"] as Json)["state"] = "closed";
  return { event: "pull_request", payload };
}

export interface ReviewInput {
  id?: number;
  /** REST's APPROVED/CHANGES_REQUESTED/COMMENTED or the webhook's lowercase form. */
  state: string;
  body?: string | null;
  user?: Actor;
  commitId?: string;
  json?: Json;
}

/** `pull_request_review` events (submitted, edited, dismissed). Webhooks spell states in lowercase. */
export function pullRequestReviewEvent(
  action: string,
  target: WebhookTarget,
  input: { pullRequest: PullInput; review: ReviewInput },
): Delivery {
  const payload = base("pull_request_review", action, target);
  payload["pull_request"] = pullJson(payload["pull_request"], input.pullRequest, target);
  const template = (payload["review"] ?? {}) as Json;
  const id =
    input.review.id ??
    (input.review.json?.["id"] as number | undefined) ??
    stableId(`review:${input.pullRequest.number}:${input.review.body ?? ""}`);
  const review: Json = input.review.json
    ? { ...input.review.json }
    : {
        ...template,
        id,
        node_id: `PRR_${id}`,
        body: input.review.body ?? null,
        user: userJson(template["user"], input.review.user ?? target.sender, target),
        commit_id: input.review.commitId ?? template["commit_id"],
      };
  review["state"] = String(input.review.state).toLowerCase();
  payload["review"] = review;
  return { event: "pull_request_review", payload };
}

export interface ReviewCommentInput {
  id?: number;
  body: string;
  path?: string;
  line?: number | null;
  user?: Actor;
  inReplyToId?: number;
  diffHunk?: string;
  reviewId?: number;
  /** A whole review comment (e.g. fake.reviewCommentJson()). */
  json?: Json;
}

/** `pull_request_review_comment` events: an inline comment created, edited or deleted. */
export function pullRequestReviewCommentEvent(
  action: "created" | "edited" | "deleted",
  target: WebhookTarget,
  input: { pullRequest: PullInput; comment: ReviewCommentInput },
): Delivery {
  const payload = base("pull_request_review_comment", action, target);
  payload["pull_request"] = pullJson(payload["pull_request"], input.pullRequest, target);
  const template = (payload["comment"] ?? {}) as Json;
  const id = input.comment.id ?? stableId(`rc:${input.pullRequest.number}:${input.comment.body}`);
  const comment: Json = input.comment.json ?? {
    ...template,
    id,
    node_id: `PRRC_${id}`,
    body: input.comment.body,
    path: input.comment.path ?? template["path"],
    line: input.comment.line ?? null,
    original_line: input.comment.line ?? null,
    diff_hunk: input.comment.diffHunk ?? template["diff_hunk"],
    pull_request_review_id: input.comment.reviewId ?? template["pull_request_review_id"],
    user: userJson(template["user"], input.comment.user ?? target.sender, target),
  };
  if (!input.comment.json) {
    if (input.comment.inReplyToId !== undefined) comment["in_reply_to_id"] = input.comment.inReplyToId;
    else delete comment["in_reply_to_id"];
  }
  payload["comment"] = comment;
  return { event: "pull_request_review_comment", payload };
}

/** `check_run` events (completed, created, rerequested, …). */
export function checkRunEvent(
  action: string,
  target: WebhookTarget,
  input: {
    checkRun: {
      id?: number;
      name: string;
      headSha: string;
      status?: string;
      conclusion?: string | null;
      output?: { title?: string | null; summary?: string | null; text?: string | null };
      appId?: number;
      /** The app that made the run (its slug); default the example's. */
      appSlug?: string;
      pullRequests?: Json[];
    };
  },
): Delivery {
  const payload = base("check_run", action, target);
  const template = (payload["check_run"] ?? {}) as Json;
  const run = input.checkRun;
  const id = run.id ?? stableId(`check:${run.name}:${run.headSha}`);
  payload["check_run"] = {
    ...template,
    id,
    node_id: `CR_${id}`,
    name: run.name,
    head_sha: run.headSha,
    status: run.status ?? (action === "completed" ? "completed" : "queued"),
    conclusion: run.conclusion ?? (action === "completed" ? "success" : null),
    output: {
      ...(template["output"] as Json),
      title: run.output?.title ?? null,
      summary: run.output?.summary ?? null,
      text: run.output?.text ?? null,
    },
    app: {
      ...(template["app"] as Json),
      ...(run.appId !== undefined ? { id: run.appId } : {}),
      ...(run.appSlug !== undefined ? { slug: run.appSlug } : {}),
    },
    pull_requests: run.pullRequests ?? [],
    check_suite: { ...(template["check_suite"] as Json), head_sha: run.headSha },
  };
  return { event: "check_run", payload };
}

export interface SendOptions {
  secret: string;
  /** Default: a fresh UUID, like GitHub's X-GitHub-Delivery. */
  deliveryId?: string;
  /** Send this signature instead of the right one (bad-signature tests). */
  signature?: string;
  /** Extra or overriding headers. */
  headers?: Record<string, string>;
}

export interface SendResult {
  status: number;
  body: string;
  /** Milliseconds from sending to the full response. */
  ms: number;
  deliveryId: string;
}

/**
 * POSTs a delivery the way GitHub does: JSON body, event, delivery id and an
 * HMAC-SHA256 signature. A `url` without a path gets Probot's
 * /api/github/webhooks.
 */
export async function sendWebhook(url: string, delivery: Delivery, options: SendOptions): Promise<SendResult> {
  const body = JSON.stringify(delivery.payload);
  const deliveryId = options.deliveryId ?? randomUUID();
  const signature = options.signature ?? (await sign(options.secret, body));
  const started = performance.now();
  const target = new URL(url);
  if (target.pathname === "/") target.pathname = "/api/github/webhooks";
  const response = await fetch(target, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "user-agent": "GitHub-Hookshot/test",
      "x-github-event": delivery.event,
      "x-github-delivery": deliveryId,
      "x-github-hook-id": "1",
      "x-github-hook-installation-target-type": "integration",
      "x-hub-signature-256": signature,
      ...options.headers,
    },
    body,
  });
  const text = await response.text();
  return { status: response.status, body: text, ms: performance.now() - started, deliveryId };
}

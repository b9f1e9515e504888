// The fake's HTTP front door: records every request, injects the failures a
// test asked for, then routes to REST (validated against GitHub's OpenAPI
// description, in and out), GraphQL or git smart HTTP.
import { randomUUID, type KeyObject } from "node:crypto";
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { identify } from "./auth.ts";
import { gitAccess, matchGitPath, runGitBackend, type GitRequestRecord, type PushRecord } from "./git-bridge.ts";
import { executeGraphql } from "./graphql.ts";
import { templatePattern, type GitHubApi } from "./openapi.ts";
import { acceptedHeader, missing, REST_NEEDS } from "./permissions.ts";
import type { RouteEnv, RouteRequest, RouteResult, RouteTable } from "./routes/types.ts";
import type { FakeState } from "./state.ts";

export interface RecordedRequest {
  method: string;
  /** Path with query, as sent. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The body as text (git pack data is summarised, not kept). */
  body: string;
  kind: "rest" | "graphql" | "git" | "other";
  operationId?: string;
  status: number | null;
  /** Time the fake took to answer. */
  ms?: number;
  /** When it arrived (Date.now()). */
  at: number;
  injected?: boolean;
}

/** "permission": the installation token lacks what GitHub demands for that door (403 "Resource not accessible by integration"). */
export type FakeErrorKind =
  | "unknown-path"
  | "invalid-request"
  | "not-implemented"
  | "auth"
  | "permission"
  | "graphql"
  | "git-auth"
  | "response-shape"
  | "fake-bug";

/** Something a correct client of GitHub would not have caused (or a bug of the fake itself). */
export interface FakeError {
  kind: FakeErrorKind;
  method: string;
  path: string;
  status: number;
  message: string;
  operationId?: string;
  details?: unknown;
}

/**
 * How an injected failure looks, as GitHub fails:
 * - status: that status (5xx, 429…) with a plain error body;
 * - primary-rate-limit: 403 (or 429) "API rate limit exceeded", `x-ratelimit-remaining: 0` and `x-ratelimit-reset`;
 * - secondary-rate-limit: 403 "You have exceeded a secondary rate limit" with `retry-after`;
 * - lost-answer: the request is carried out (the PR, comment… exists), then the answer is a 502, as under load.
 */
export type FaultKind = "status" | "primary-rate-limit" | "secondary-rate-limit" | "lost-answer";

export interface FailureRule {
  method: string;
  pattern: RegExp;
  status: number;
  remaining: number;
  kind?: FaultKind;
  /** Seconds: `retry-after` (secondary, 429) or until `x-ratelimit-reset` (primary). */
  retryAfter?: number;
  message?: string;
}

export interface ServerDeps {
  api: GitHubApi;
  routes: RouteTable;
  state: FakeState;
  env: RouteEnv;
  appId: number;
  appKey: KeyObject;
  gitRoot: string;
  requests: RecordedRequest[];
  errors: FakeError[];
  gitRequests: GitRequestRecord[];
  pushes: PushRecord[];
  failures: FailureRule[];
  /** Check the fake's own answers against GitHub's response schemas (costs ~1.5 s of schema compiling per process). */
  validateResponses: boolean;
}

/** A failNext pattern: a RegExp, or an OpenAPI-style template such as /repos/{owner}/{repo}/pulls. */
export function failurePattern(pattern: string | RegExp): RegExp {
  return typeof pattern === "string" ? templatePattern(pattern) : pattern;
}

const REST_PREFIX = "/api/v3";

export function createHandler(deps: ServerDeps) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? "/", "http://fake.invalid");
    const method = (req.method ?? "GET").toUpperCase();
    const git = matchGitPath(url.pathname);
    const kind: RecordedRequest["kind"] =
      url.pathname.startsWith(`${REST_PREFIX}/`) || url.pathname === REST_PREFIX
        ? "rest"
        : url.pathname === "/api/graphql"
          ? "graphql"
          : git
            ? "git"
            : "other";
    const record: RecordedRequest = {
      method,
      path: `${url.pathname}${url.search}`,
      headers: req.headers,
      body: kind === "git" && raw.length > 0 ? `[${raw.length} bytes of git data]` : raw.toString("utf8"),
      kind,
      status: null,
      at: Date.now(),
    };
    deps.requests.push(record);
    const fail = (errorKind: FakeErrorKind, status: number, message: string, extra: Partial<FakeError> = {}) =>
      deps.errors.push({ kind: errorKind, method, path: record.path, status, message, ...extra });
    const began = performance.now();
    res.on("finish", () => {
      record.ms = Math.round(performance.now() - began);
    });
    const send = (result: RouteResult) => {
      record.status = result.status;
      writeResult(res, result);
    };

    try {
      const rule = takeFailure(deps.failures, method, url.pathname);
      if (rule) record.injected = true;
      if (rule && rule.kind !== "lost-answer") return send(injected(rule));
      // a lost answer: GitHub did the work; the client only sees the gateway fail
      const answer = (result: RouteResult) => send(rule ? injected(rule) : result);
      if (kind === "rest") return answer(await handleRest(deps, req, url, raw, record, fail));
      if (kind === "graphql" && method === "POST") return answer(await handleGraphql(deps, req, raw, fail));
      if (git) {
        const status = await handleGit(deps, req, res, raw, git, url.search.slice(1), fail);
        record.status = status;
        return;
      }
      fail("unknown-path", 404, `no such path on GitHub: ${method} ${url.pathname}`);
      return send({ status: 404, body: { message: "Not Found", documentation_url: "https://docs.github.com/rest" } });
    } catch (error) {
      fail("fake-bug", 500, error instanceof Error ? (error.stack ?? error.message) : String(error));
      if (!res.headersSent)
        send({
          status: 500,
          body: { message: `fake GitHub failed: ${error instanceof Error ? error.message : String(error)}` },
        });
      else res.end();
    }
  };
}

function takeFailure(failures: FailureRule[], method: string, path: string): FailureRule | undefined {
  const below = path.startsWith(`${REST_PREFIX}/`) ? path.slice(REST_PREFIX.length) : path;
  const rule = failures.find(
    (f) =>
      f.remaining > 0 && (f.method === "*" || f.method === method) && (f.pattern.test(path) || f.pattern.test(below)),
  );
  if (rule) rule.remaining--;
  return rule;
}

function injected(rule: FailureRule): RouteResult {
  const docs = "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api";
  switch (rule.kind) {
    case "primary-rate-limit":
      return {
        status: rule.status,
        body: { message: rule.message ?? "API rate limit exceeded for installation ID 1.", documentation_url: docs },
        headers: {
          "x-ratelimit-remaining": "0",
          "x-ratelimit-used": "5000",
          "x-ratelimit-reset": String(Math.ceil(Date.now() / 1000) + (rule.retryAfter ?? 1)),
        },
      };
    case "secondary-rate-limit":
      return {
        status: rule.status,
        body: {
          message:
            rule.message ??
            "You have exceeded a secondary rate limit and have been temporarily blocked from content creation. Please retry your request again later.",
          documentation_url: docs,
        },
        headers: { "retry-after": String(rule.retryAfter ?? 1) },
      };
    case "lost-answer":
      return { status: rule.status, text: "<html><body><h1>502 Bad Gateway</h1></body></html>\n" };
    default: {
      const headers: Record<string, string> = {};
      if (rule.retryAfter !== undefined || rule.status === 429) headers["retry-after"] = String(rule.retryAfter ?? 1);
      return {
        status: rule.status,
        body: {
          message: rule.message ?? `Injected failure ${rule.status}`,
          documentation_url: "https://docs.github.com/rest",
        },
        headers,
      };
    }
  }
}

function writeResult(res: ServerResponse, result: RouteResult): void {
  const headers: Record<string, string> = {
    "x-github-request-id": randomUUID().toUpperCase().slice(0, 23),
    "x-ratelimit-limit": "5000",
    "x-ratelimit-remaining": "4999",
    "x-ratelimit-used": "1",
    "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 3600),
    "x-ratelimit-resource": "core",
    ...result.headers,
  };
  if (result.text !== undefined) {
    res.writeHead(result.status, { "content-type": "text/plain; charset=utf-8", ...headers });
    res.end(result.text);
  } else if (result.body === undefined || result.status === 204) {
    res.writeHead(result.status, headers);
    res.end();
  } else {
    res.writeHead(result.status, {
      "content-type": "application/json; charset=utf-8",
      "x-github-media-type": "github.v3; format=json",
      ...headers,
    });
    res.end(JSON.stringify(result.body));
  }
}

/**
 * Path parameters that may hold slashes (a file path, a branch, a ref) are
 * sent %2F-encoded by Octokit, but GitHub also accepts them raw: fold the raw
 * form into one segment so the OpenAPI router sees one parameter.
 */
function foldGreedyParams(path: string): string {
  const fold = (s: string) =>
    s
      .split("/")
      .map((p) => encodeURIComponent(decodeURIComponent(p)))
      .join("%2F");
  const rules: [RegExp, (m: RegExpExecArray) => string][] = [
    [/^(\/repos\/[^/]+\/[^/]+\/contents\/)(.+?)\/?$/, (m) => `${m[1]}${fold(m[2] ?? "")}`],
    [/^(\/repos\/[^/]+\/[^/]+\/git\/(?:ref|refs|matching-refs)\/)(.+)$/, (m) => `${m[1]}${fold(m[2] ?? "")}`],
    [/^(\/repos\/[^/]+\/[^/]+\/compare\/)(.+)$/, (m) => `${m[1]}${fold(m[2] ?? "")}`],
    [
      /^(\/repos\/[^/]+\/[^/]+\/commits\/)(.+)(\/(?:check-runs|check-suites|status|statuses))$/,
      (m) => `${m[1]}${fold(m[2] ?? "")}${m[3] ?? ""}`,
    ],
    [
      /^(\/repos\/[^/]+\/[^/]+\/branches\/)(.+)$/,
      (m) => (/\/(protection|rename)(\/|$)/.test(m[2] ?? "") ? m[0] : `${m[1]}${fold(m[2] ?? "")}`),
    ],
  ];
  for (const [pattern, rewrite] of rules) {
    const m = pattern.exec(path);
    if (m) return rewrite(m);
  }
  return path;
}

function pathParams(template: string, path: string): Record<string, string> {
  const names: string[] = [];
  const source = template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{([^}]+)\}/g, (_m, name: string) => {
    names.push(name);
    return "([^/]+)";
  });
  const m = new RegExp(`^${source}/?$`).exec(path);
  const params: Record<string, string> = {};
  names.forEach((name, i) => {
    params[name] = decodeURIComponent(m?.[i + 1] ?? "");
  });
  return params;
}

async function handleRest(
  deps: ServerDeps,
  req: IncomingMessage,
  url: URL,
  raw: Buffer,
  record: RecordedRequest,
  fail: (kind: FakeErrorKind, status: number, message: string, extra?: Partial<FakeError>) => void,
): Promise<RouteResult> {
  const method = record.method;
  const path = foldGreedyParams(url.pathname.slice(REST_PREFIX.length) || "/");
  const basic = (status: number, message: string): RouteResult => ({
    status,
    body: { message, documentation_url: "https://docs.github.com/rest", status: String(status) },
  });

  let body: unknown;
  if (raw.length > 0) {
    try {
      body = JSON.parse(raw.toString("utf8"));
    } catch {
      fail("invalid-request", 400, "Problems parsing JSON");
      return basic(400, "Problems parsing JSON");
    }
  }
  const request = {
    method: method.toLowerCase(),
    path,
    headers: req.headers as Record<string, string>,
    query: url.search.slice(1),
    body,
  };
  const operation = deps.api.backend.matchOperation(request);
  if (!operation) {
    const known = deps.api.allRoutes.find((r) => r.method === method.toLowerCase() && r.pattern.test(path));
    if (known) {
      fail("not-implemented", 501, `the fake does not implement ${known.operationId} (${method} ${known.template})`, {
        operationId: known.operationId,
      });
      return basic(501, `Not implemented by the fake: ${known.operationId}`);
    }
    fail("unknown-path", 404, `no such operation in GitHub's REST API: ${method} ${path}`);
    return basic(404, "Not Found");
  }
  const operationId = operation.operationId ?? "";
  record.operationId = operationId;
  const validation = deps.api.backend.validateRequest(request, operation);
  if (!validation.valid) {
    const messages = (validation.errors ?? []).map((e) => `${e.instancePath || "(request)"} ${e.message ?? ""}`.trim());
    fail("invalid-request", 422, `${operationId}: ${messages.join("; ")}`, { operationId, details: validation.errors });
    return {
      status: 422,
      body: {
        message: `Invalid request.\n\n${messages.join("\n")}`,
        documentation_url: "https://docs.github.com/rest",
        status: "422",
      },
    };
  }
  const route = deps.routes[operationId];
  if (!route) throw new Error(`operation ${operationId} was loaded but has no route`);

  const caller = identify(deps.state, req.headers["authorization"], deps.appId, deps.appKey);
  if (caller.kind === "anonymous") {
    fail("auth", 401, `${operationId}: ${caller.reason}`, { operationId });
    return basic(401, caller.reason === "no credentials" ? "Requires authentication" : "Bad credentials");
  }
  if (route.auth === "app" && caller.kind !== "app") {
    fail("auth", 401, `${operationId} needs the app's JWT, got an installation token`, { operationId });
    return basic(401, "A JSON web token could not be decoded");
  }
  if (route.auth === "installation" && caller.kind !== "installation") {
    fail("auth", 403, `${operationId} needs an installation token, got the app's JWT`, { operationId });
    return basic(403, "Resource not accessible by integration");
  }

  const params = pathParams(operation.path, path);
  let repo;
  if (params["owner"] !== undefined && params["repo"] !== undefined) {
    repo = deps.state.repo(`${params["owner"]}/${params["repo"]}`);
    if (!repo) return basic(404, "Not Found");
    if (caller.kind === "installation") {
      const token = caller.token;
      const covered =
        repo.installationId === token.installationId && (!token.repositories || token.repositories.has(repo.fullName));
      if (!covered && repo.private) return basic(404, "Not Found");
      if (!covered && method !== "GET") return basic(403, "Resource not accessible by integration");
    }
  }
  if (caller.kind === "installation") {
    const need = REST_NEEDS[operationId];
    if (!need) throw new Error(`fake GitHub: no permission listed for ${operationId} (add it to REST_NEEDS)`);
    const lacking = missing(caller.token.permissions, need);
    if (lacking) {
      fail(
        "permission",
        403,
        `${operationId} needs ${lacking}; the token has ${JSON.stringify(caller.token.permissions)}`,
        { operationId },
      );
      return {
        ...basic(403, "Resource not accessible by integration"),
        headers: { "x-accepted-github-permissions": acceptedHeader(need) },
      };
    }
  }
  const routeRequest: RouteRequest = {
    method,
    path,
    params,
    query: url.searchParams,
    headers: req.headers,
    body,
    caller,
    repo,
  };
  const result = await route.handle(routeRequest, deps.env);
  if (deps.validateResponses && result.body !== undefined && result.text === undefined && result.status < 300) {
    const check = deps.api.backend.validateResponse(result.body, operation, result.status);
    if (!check.valid) {
      fail("response-shape", result.status, `${operationId}: the fake's response does not match GitHub's schema`, {
        operationId,
        details: check.errors?.slice(0, 5),
      });
    }
  }
  return result;
}

async function handleGraphql(
  deps: ServerDeps,
  req: IncomingMessage,
  raw: Buffer,
  fail: (kind: FakeErrorKind, status: number, message: string, extra?: Partial<FakeError>) => void,
): Promise<RouteResult> {
  const caller = identify(deps.state, req.headers["authorization"], deps.appId, deps.appKey);
  if (caller.kind !== "installation") {
    fail("auth", 401, `graphql: ${caller.kind === "anonymous" ? caller.reason : "the app's JWT cannot query GraphQL"}`);
    return {
      status: 401,
      body: {
        message: "This endpoint requires you to be authenticated.",
        documentation_url: "https://docs.github.com/graphql",
      },
    };
  }
  let request: { query?: unknown; variables?: unknown; operationName?: unknown };
  try {
    request = JSON.parse(raw.toString("utf8")) as typeof request;
  } catch {
    fail("graphql", 400, "Problems parsing JSON");
    return { status: 400, body: { message: "Problems parsing JSON" } };
  }
  const result = await executeGraphql(deps.env.ctx, `${deps.env.ctx.app.slug}[bot]`, request, caller.token.permissions);
  for (const error of result.body.errors ?? [])
    fail(error.type === "FORBIDDEN" ? "permission" : "graphql", 200, error.message, { details: error });
  return { status: 200, body: result.body };
}

async function handleGit(
  deps: ServerDeps,
  req: IncomingMessage,
  res: ServerResponse,
  raw: Buffer,
  git: { owner: string; name: string; rest: string },
  query: string,
  fail: (kind: FakeErrorKind, status: number, message: string, extra?: Partial<FakeError>) => void,
): Promise<number> {
  const repo = deps.state.repo(`${git.owner}/${git.name}`);
  const service =
    git.rest === "/git-receive-pack" || query.includes("service=git-receive-pack")
      ? "git-receive-pack"
      : git.rest === "/git-upload-pack" || query.includes("service=git-upload-pack")
        ? "git-upload-pack"
        : null;
  const phase: GitRequestRecord["phase"] = git.rest === "/info/refs" ? "advertise" : service ? "rpc" : "other";
  const refuse = (status: number, message: string, user: string | null) => {
    deps.gitRequests.push({ repo: repo?.fullName ?? `${git.owner}/${git.name}`, service, phase, user, status });
    res.writeHead(status, {
      "content-type": "text/plain; charset=utf-8",
      ...(status === 401 ? { "www-authenticate": 'Basic realm="GitHub"' } : {}),
    });
    res.end(`${message}\n`);
    return status;
  };
  if (!repo) return refuse(404, "Repository not found.", null);
  const access = gitAccess(deps.state, deps.env.ctx.app.slug, repo, service, req.headers["authorization"]);
  if (!access.allowed) {
    if (access.badCredentials)
      fail("git-auth", access.status, `git ${service ?? git.rest} on ${repo.fullName}: ${access.message}`);
    return refuse(access.status, access.message, access.user);
  }
  try {
    const { status, pushes } = await runGitBackend(req, res, raw, {
      root: deps.gitRoot,
      repo,
      rest: git.rest,
      query,
      user: access.user ?? "",
      permissions: access.permissions ?? {},
    });
    deps.gitRequests.push({ repo: repo.fullName, service, phase, user: access.user, status });
    deps.pushes.push(...pushes);
    return status;
  } finally {
    res.end();
  }
}

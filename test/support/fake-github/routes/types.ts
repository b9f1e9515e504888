// What a REST route receives and returns, and GitHub's error bodies.
import type { IncomingHttpHeaders } from "node:http";
import type { Caller } from "../auth.ts";
import type { Json, ShapeContext } from "../shapes/common.ts";
import type { RepoRecord } from "../state.ts";

export interface RouteRequest {
  method: string;
  /** Path below /api/v3, without the query. */
  path: string;
  /** Path parameters, URL-decoded. */
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
  caller: Caller;
  /** The repository named by {owner}/{repo}, already checked to exist and be reachable. */
  repo: RepoRecord | undefined;
}

export interface RouteResult {
  status: number;
  body?: unknown;
  /** Sent as-is instead of JSON (raw media types). */
  text?: string | Buffer;
  headers?: Record<string, string>;
}

/** What routes share: the shape context (state, URLs, app) and settings. */
export interface RouteEnv {
  ctx: ShapeContext;
  tokenTtlMs: number;
}

export interface Route {
  /** app: a JWT; installation: an installation token. */
  auth: "app" | "installation";
  handle(req: RouteRequest, env: RouteEnv): RouteResult | Promise<RouteResult>;
}

export type RouteTable = Record<string, Route>;

const DOCS = "https://docs.github.com/rest";

export function json(status: number, body: unknown, headers?: Record<string, string>): RouteResult {
  return headers ? { status, body, headers } : { status, body };
}

export function notFound(message = "Not Found"): RouteResult {
  return { status: 404, body: { message, documentation_url: DOCS, status: "404" } };
}

export function forbidden(message: string): RouteResult {
  return { status: 403, body: { message, documentation_url: DOCS, status: "403" } };
}

export interface FieldError {
  resource: string;
  code: string;
  field?: string;
  message?: string;
}

/** GitHub's 422: "Validation Failed" with the field errors, or a custom message. */
export function unprocessable(errors: FieldError[], message = "Validation Failed"): RouteResult {
  return { status: 422, body: { message, errors, documentation_url: DOCS, status: "422" } };
}

export function body<T>(req: RouteRequest): T {
  return (req.body ?? {}) as T;
}

export function repoOf(req: RouteRequest): RepoRecord {
  if (!req.repo) throw new Error(`route for ${req.path} needs {owner}/{repo}`);
  return req.repo;
}

export function intParam(req: RouteRequest, name: string): number {
  return Number(req.params[name]);
}

/**
 * One page of `items` with GitHub's Link header (per_page default 30, max
 * 100), so clients that paginate are exercised as against the real API.
 */
export function paginate<T>(
  req: RouteRequest,
  items: T[],
  selfUrl: string,
  shape: (item: T) => Json | Promise<Json>,
): Promise<RouteResult> {
  const perPage = Math.min(Math.max(Number(req.query.get("per_page") ?? 30) || 30, 1), 100);
  const page = Math.max(Number(req.query.get("page") ?? 1) || 1, 1);
  const last = Math.max(Math.ceil(items.length / perPage), 1);
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const link = (n: number, rel: string) => {
    const query = new URLSearchParams(req.query);
    query.set("per_page", String(perPage));
    query.set("page", String(n));
    return `<${selfUrl}?${query.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page < last) links.push(link(page + 1, "next"), link(last, "last"));
  if (page > 1) links.push(link(1, "first"), link(page - 1, "prev"));
  return Promise.all(slice.map(shape)).then((page) =>
    links.length > 0 ? json(200, page, { link: links.join(", ") }) : json(200, page),
  );
}

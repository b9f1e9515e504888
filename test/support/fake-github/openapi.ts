// GitHub's OpenAPI description, cut down to the operations the fake
// implements, so every request the app sends is checked against the real
// contract. The full document is 13 MB and takes ~0.3 s to parse and far
// longer to dereference, so we keep only what we serve, remember every path
// template (to tell "valid but unimplemented" from "no such path"), and cache
// the result on disk and per process.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Document, OpenAPIBackend as Backend } from "openapi-backend";

const require = createRequire(import.meta.url);
// a CommonJS package: require() gives the same shape under Node and under vitest
const { OpenAPIBackend } = require("openapi-backend") as typeof import("openapi-backend");

/** An operation of the full description: method, path template, matcher. */
export interface KnownRoute {
  method: string;
  template: string;
  operationId: string;
  pattern: RegExp;
}

export interface GitHubApi {
  backend: Backend;
  /** Every operation in GitHub's description, implemented or not. */
  allRoutes: KnownRoute[];
  /** Milliseconds spent loading (0 when served from the per-process cache). */
  loadMs: number;
}

interface CachedDoc {
  document: Record<string, unknown>;
  routes: [method: string, template: string, operationId: string][];
}

/** Bump when filterDocument changes what it writes. */
const CACHE_FORMAT = 3;
const METHODS = new Set(["get", "put", "post", "patch", "delete", "head", "options"]);
let inProcess: { key: string; api: Promise<GitHubApi> } | undefined;

/** Loads (once per process) the validator for the given operation ids. */
export function loadGitHubApi(operationIds: readonly string[]): Promise<GitHubApi> {
  const key = [...operationIds].sort().join(",");
  if (inProcess?.key === key) return inProcess.api.then((api) => ({ ...api, loadMs: 0 }));
  const api = build(operationIds);
  inProcess = { key, api };
  return api;
}

async function build(operationIds: readonly string[]): Promise<GitHubApi> {
  const started = performance.now();
  const cached = readOrMakeCache(operationIds);
  const backend = new OpenAPIBackend({
    definition: cached.document as unknown as Document,
    // quick: compile a validator the first time an operation is used, not all up front
    quick: true,
    validate: true,
    strict: false,
    ajvOpts: { strict: false, logger: false },
    // query and path parameters arrive as strings; GitHub's schema types them (per_page: integer)
    coerceTypes: true,
    // GitHub marks formats ajv does not know ("repo.nwo", …); they are annotations, not rules
    customizeAjv: (ajv) => {
      ajv.addFormat("repo.nwo", true);
      return ajv;
    },
  });
  await backend.init();
  const allRoutes = cached.routes.map(([method, template, operationId]) => ({
    method,
    template,
    operationId,
    pattern: templatePattern(template),
  }));
  return { backend, allRoutes, loadMs: performance.now() - started };
}

/** `/repos/{owner}/{repo}` → a regex matching one path segment per parameter. */
export function templatePattern(template: string): RegExp {
  const escaped = template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[^}]+\}/g, "[^/]+");
  return new RegExp(`^${escaped}/?$`);
}

function readOrMakeCache(operationIds: readonly string[]): CachedDoc {
  const specPath = require.resolve("@octokit/openapi/generated/api.github.com.json");
  const version = (require("@octokit/openapi/package.json") as { version: string }).version;
  const hash = createHash("sha256")
    .update(`${CACHE_FORMAT}:${version}:`)
    .update([...operationIds].sort().join(","))
    .digest("hex");
  // node_modules/.cache is where tools keep derived files; a clean clone rebuilds it
  const cacheFile = join(
    dirname(specPath),
    "..",
    "..",
    "..",
    ".cache",
    "issuesmith-fake-github",
    `${hash.slice(0, 16)}.json`,
  );
  try {
    return JSON.parse(readFileSync(cacheFile, "utf8")) as CachedDoc;
  } catch {
    // not cached yet (or corrupt): derive it
  }
  const full = JSON.parse(readFileSync(specPath, "utf8")) as FullDoc;
  const made = filterDocument(full, operationIds);
  try {
    mkdirSync(dirname(cacheFile), { recursive: true });
    // write then rename: parallel test workers never read half a file
    const tmp = `${cacheFile}.${process.pid}.${Date.now()}.tmp`;
    writeFileSync(tmp, JSON.stringify(made));
    renameSync(tmp, cacheFile);
  } catch {
    // a read-only node_modules only costs speed
  }
  return made;
}

interface FullDoc {
  paths: Record<string, Record<string, unknown>>;
  components?: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

function filterDocument(full: FullDoc, operationIds: readonly string[]): CachedDoc {
  const wanted = new Set(operationIds);
  const routes: CachedDoc["routes"] = [];
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [template, item] of Object.entries(full.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.has(method)) continue;
      const operationId = (op as { operationId?: string }).operationId;
      if (!operationId) continue;
      routes.push([method, template, operationId]);
      if (!wanted.has(operationId)) continue;
      const kept = (paths[template] ??= {});
      kept[method] = op;
      if (item["parameters"]) kept["parameters"] = item["parameters"];
    }
  }
  const missing = [...wanted].filter((id) => !routes.some((r) => r[2] === id));
  if (missing.length > 0) throw new Error(`fake GitHub: operations not in GitHub's description: ${missing.join(", ")}`);

  // keep only the components reachable from the kept operations
  const components: Record<string, Record<string, unknown>> = {};
  const seen = new Set<string>();
  const queue: unknown[] = [paths];
  while (queue.length > 0) {
    const node = queue.pop();
    if (Array.isArray(node)) queue.push(...node);
    else if (node && typeof node === "object") {
      for (const [k, v] of Object.entries(node)) {
        if (k === "$ref" && typeof v === "string" && !seen.has(v)) {
          seen.add(v);
          const [, , section, name] = v.split("/");
          if (!section || !name) continue;
          const target = full.components?.[section]?.[name];
          if (target === undefined) continue;
          (components[section] ??= {})[name] = target;
          queue.push(target);
        } else queue.push(v);
      }
    }
  }
  fixNullable(paths);
  fixNullable(components);
  const document: Record<string, unknown> = { ...full, paths, components };
  delete document["webhooks"];
  delete document["x-webhooks"];
  return { document, routes };
}

/**
 * OpenAPI 3.0 allows `nullable: true` beside `allOf`/`anyOf` without a
 * `type`; Ajv refuses to compile that. Say the same thing Ajv's way:
 * anyOf [the schema, null]. And a nullable enum must list null for Ajv.
 */
function fixNullable(node: unknown): void {
  if (Array.isArray(node)) {
    node.forEach(fixNullable);
    return;
  }
  if (!node || typeof node !== "object") return;
  const record = node as Record<string, unknown>;
  for (const value of Object.values(record)) fixNullable(value);
  // Ajv checks `enum` before `nullable`: null must be listed to pass
  if (record["nullable"] === true && Array.isArray(record["enum"]) && !record["enum"].includes(null))
    record["enum"].push(null);
  if (record["nullable"] === true && record["type"] === undefined) {
    const { nullable: _nullable, description, ...rest } = record;
    for (const key of Object.keys(record)) delete record[key];
    if (description !== undefined) record["description"] = description;
    record["anyOf"] = [rest, { type: "null" }];
  }
}

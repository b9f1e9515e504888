// createFakeGitHub: a stateful GitHub (Enterprise Server-shaped) on a
// loopback port — REST under /api/v3 validated against GitHub's OpenAPI
// description, GraphQL at /api/graphql, git smart HTTP at /{owner}/{repo}.git.
import type { KeyObject } from "node:crypto";
import { mkdtemp } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { appPublicKey } from "./auth.ts";
import { DEFAULT_INSTALLATION_PERMISSIONS, FakeGitHub } from "./fake.ts";
import type { GitRequestRecord, PushRecord } from "./git-bridge.ts";
import { loadGitHubApi } from "./openapi.ts";
import { appRoutes } from "./routes/apps.ts";
import { checkRoutes } from "./routes/checks.ts";
import { issueRoutes } from "./routes/issues.ts";
import { pullRoutes } from "./routes/pulls.ts";
import { repoRoutes } from "./routes/repos.ts";
import { userRoutes } from "./routes/users.ts";
import type { RouteEnv, RouteTable } from "./routes/types.ts";
import { createHandler, type FailureRule, type FakeError, type RecordedRequest } from "./server.ts";
import { FakeState } from "./state.ts";

export { FakeGitHub } from "./fake.ts";
export type { FakeError, FakeErrorKind, RecordedRequest } from "./server.ts";
export type { GitRequestRecord, PushRecord } from "./git-bridge.ts";
export type * from "./state.ts";

export interface FakeGitHubOptions {
  appId: number;
  /** The app's public key (PEM or KeyObject) to verify its JWTs; or give the private key. */
  publicKey?: string | KeyObject;
  privateKey?: string | KeyObject;
  /** Default "issuesmith-test"; the bot login is `<slug>[bot]`. */
  appSlug?: string;
  appName?: string;
  /** The account that owns the app (shown in GET /app). Default "issuesmith-dev". */
  appOwner?: string;
  /** Id of the installation repositories join by default. Default 1. */
  installationId?: number;
  /** How long installation tokens live. Default one hour, like GitHub. */
  tokenTtlMs?: number;
  /** The default installation's permissions. Default: app.yml's `default_permissions`, as GitHub grants on install. */
  permissions?: Record<string, string>;
  /** Default 0: any free port. */
  port?: number;
  /**
   * Also check the fake's answers against GitHub's response schemas, recording
   * mismatches as "response-shape" errors. The fake's self-tests do, for every
   * route; elsewhere it only costs start-up time. Default false.
   */
  validateResponses?: boolean;
}

export const routes: RouteTable = {
  ...appRoutes,
  ...repoRoutes,
  ...userRoutes,
  ...issueRoutes,
  ...pullRoutes,
  ...checkRoutes,
};

export async function createFakeGitHub(options: FakeGitHubOptions): Promise<FakeGitHub> {
  const started = performance.now();
  const appKey = appPublicKey(options);
  const api = await loadGitHubApi(Object.keys(routes));
  const state = new FakeState();
  const gitRoot = await mkdtemp(join(tmpdir(), "fake-github-"));
  const appSlug = options.appSlug ?? "issuesmith-test";
  const installationId = options.installationId ?? 1;
  state.installations.set(installationId, {
    id: installationId,
    // filled by the first repository that joins it
    account: "",
    repositorySelection: "selected",
    permissions: { ...(options.permissions ?? DEFAULT_INSTALLATION_PERMISSIONS) },
    events: [
      "issues",
      "issue_comment",
      "pull_request",
      "pull_request_review",
      "pull_request_review_comment",
      "check_run",
    ],
  });
  state.user(`${appSlug}[bot]`, "Bot");

  const records = {
    requests: [] as RecordedRequest[],
    errors: [] as FakeError[],
    gitRequests: [] as GitRequestRecord[],
    pushes: [] as PushRecord[],
  };
  const failures: FailureRule[] = [];
  // the URLs in shapes need the port, known only once listening: fill ctx after listen
  const env: RouteEnv = {
    ctx: {
      state,
      api: "",
      web: "",
      app: {
        id: options.appId,
        slug: appSlug,
        name: options.appName ?? "issuesmith (test)",
        owner: options.appOwner ?? "issuesmith-dev",
      },
    },
    tokenTtlMs: options.tokenTtlMs ?? 60 * 60 * 1000,
  };
  const handler = createHandler({
    api,
    routes,
    state,
    env,
    appId: options.appId,
    appKey,
    gitRoot,
    failures,
    validateResponses: options.validateResponses ?? false,
    ...records,
  });
  const server = createServer((req, res) => void handler(req, res));
  // git keeps connections alive between its requests; tests close them all at the end
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  env.ctx.web = `http://127.0.0.1:${port}`;
  env.ctx.api = `${env.ctx.web}/api/v3`;
  state.user(env.ctx.app.owner, "Organization");
  return new FakeGitHub({
    server,
    port,
    appId: options.appId,
    appSlug,
    installationId,
    state,
    gitRoot,
    env,
    failures,
    records,
    timings: { openapiMs: api.loadMs, startMs: performance.now() - started },
  });
}

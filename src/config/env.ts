// The process environment, validated once at start-up (ARCHITECTURE.md §3 "Env").
// Nothing else in src/ reads process.env: this object is passed down.
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { z } from "zod";
import { UserError } from "../errors.ts";
import { envSchema, type RawEnv } from "./env-schema.ts";
import { parseModels, type ModelChoice } from "./models.ts";
import { parseSpendCaps, type SpendCaps } from "./spend-caps.ts";

export interface AppEnv {
  /** GitHub App credentials; absent until the manifest setup flow ran. */
  github: {
    appId: number | undefined;
    privateKey: string | undefined;
    webhookSecret: string | undefined;
    /** REST base URL, e.g. https://api.github.com or http://127.0.0.1:4000/api/v3 */
    baseUrl: string;
    /** Host name of the GitHub web/git server (github.com or GHE_HOST). */
    host: string;
    webhookProxyUrl: string | undefined;
    throttle: boolean;
  };
  server: { port: number; host: string | undefined; publicUrl: string | undefined };
  /** Operator routes (ARCHITECTURE.md §6): their own port, and the token that opens them on the webhook port. */
  ops: { port: number | undefined; token: string | undefined };
  log: { level: RawEnv["LOG_LEVEL"]; format: "json" | "pretty" };
  model: {
    apiKey: string | undefined;
    baseUrl: string;
    name: string | undefined;
    toolProtocol: RawEnv["AGENT_TOOL_PROTOCOL"];
    contextWindow: number;
    maxOutputTokens: number;
    /** The longest wait for the endpoint's response headers. */
    timeoutMs: number;
    /** The longest the endpoint may send nothing, before its first chunk or between two. */
    idleMs: number;
    /** Tries after the first when the endpoint fails transiently (5xx, 429, timeouts, cut streams). */
    retries: number;
    /** No new try starts after this long since the first one of a call. */
    retryWindowMs: number;
    /** USD per million tokens, merged over the built-in table. */
    prices: Record<string, { input: number; output: number }>;
    /** The models a repository or command may choose (AGENT_MODELS; AGENT_MODEL always among them). */
    choices: ReadonlyMap<string, ModelChoice>;
  };
  queue: {
    backend: Exclude<RawEnv["AGENT_QUEUE"], "redis">;
    /** postgres: where the job store lives (postgres://user:pass@host:5432/db). */
    databaseUrl: string | undefined;
    /** postgres: days a finished job and its trajectory are kept (0: for ever). */
    retentionDays: number;
    concurrency: number;
    installationConcurrency: number;
    runWorker: boolean;
    shutdownGraceMs: number;
    /** Takeovers after a crashed worker a job may have before it ends `interrupted`. */
    maxResumes: number;
    /** A running job unrenewed this long is another worker's to take over (heartbeats renew it every second). */
    leaseMs: number;
    /** How often a worker brings waiting jobs' "#n in line" up to date (0: never). */
    positionRefreshMs: number;
  };
  /** Operator caps on spend and job counts per installation and repository (AGENT_SPEND_CAPS). */
  spendCaps: SpendCaps;
  dataDir: string;
  /** Where job workspaces are made; the OS temp dir unless overridden. */
  workDir: string;
  /**
   * Repository mirrors and installed dependency trees kept between jobs
   * (AGENT_CACHE_DIR, default <data dir>/cache); maxBytes 0 turns the cache off.
   */
  cache: { dir: string; maxBytes: number };
  sandbox: RawEnv["AGENT_SANDBOX"];
  progressIntervalMs: number;
  /** Least time between pushes of work in progress to the job's checkpoint branch. */
  checkpointIntervalMs: number;
  /**
   * Values repositories may opt in to for their setup and test commands
   * (`secrets:` in .github/agent.yml), from AGENT_SECRET_<NAME> variables.
   */
  repoSecrets: Record<string, string>;
  /** The app's bot login, e.g. issuesmith[bot]; learnt from the API when unset. */
  botName: string | undefined;
  production: boolean;
}

/** True when the GitHub App credentials are present (not in manifest-setup mode). */
export function hasAppCredentials(env: AppEnv): boolean {
  return env.github.appId !== undefined && env.github.privateKey !== undefined;
}

/**
 * Parse and validate the environment. Every problem is reported at once in
 * one UserError whose details name the variables.
 */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): AppEnv {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    throw new UserError(
      "invalid environment",
      parsed.error.issues.map(
        (i) => `${i.path.join(".")}: ${i.message} (got ${JSON.stringify(source[String(i.path[0])] ?? null)})`,
      ),
    );
  }
  const e = parsed.data;
  const problems: string[] = [];

  let appId: number | undefined;
  if (e.APP_ID !== undefined) {
    appId = Number(e.APP_ID);
    if (!Number.isInteger(appId) || appId <= 0)
      problems.push(`APP_ID: must be a positive integer (got ${JSON.stringify(e.APP_ID)})`);
  }

  let privateKey = e.PRIVATE_KEY?.replace(/\\n/g, "\n");
  if (!privateKey && e.PRIVATE_KEY_PATH) {
    try {
      privateKey = readFileSync(e.PRIVATE_KEY_PATH, "utf8");
    } catch (err) {
      problems.push(`PRIVATE_KEY_PATH: cannot read ${e.PRIVATE_KEY_PATH}: ${(err as Error).message}`);
    }
  }
  if (privateKey && !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(privateKey)) {
    problems.push("PRIVATE_KEY: not a PEM private key (expected -----BEGIN ... PRIVATE KEY-----)");
  }

  const credentials = appId !== undefined && privateKey !== undefined;
  if (credentials && !e.WEBHOOK_SECRET) {
    problems.push("WEBHOOK_SECRET: required once APP_ID and PRIVATE_KEY are set (webhooks must be verified)");
  }
  if (credentials && !e.AGENT_MODEL) {
    problems.push("AGENT_MODEL: required: the model name to ask, e.g. gpt-4.1 or qwen2.5-coder");
  }
  if (credentials && !e.OPENAI_API_KEY && isOpenAI(e.OPENAI_BASE_URL)) {
    problems.push(
      "OPENAI_API_KEY: required for api.openai.com (set OPENAI_BASE_URL for a local endpoint that needs no key)",
    );
  }
  if (e.AGENT_PUBLIC_URL !== undefined && !URL.canParse(e.AGENT_PUBLIC_URL)) {
    problems.push(`AGENT_PUBLIC_URL: not a URL (got ${JSON.stringify(e.AGENT_PUBLIC_URL)})`);
  }
  if (e.AGENT_OPS_TOKEN !== undefined && e.AGENT_OPS_TOKEN.length < 16) {
    problems.push(
      "AGENT_OPS_TOKEN: too short to guard anything: use at least 16 characters (e.g. `openssl rand -hex 24`)",
    );
  }
  if (e.AGENT_OPS_PORT !== undefined && e.AGENT_OPS_PORT !== 0 && e.AGENT_OPS_PORT === e.PORT) {
    problems.push(`AGENT_OPS_PORT: must differ from PORT (${e.PORT}), where webhooks arrive`);
  }
  if (e.AGENT_QUEUE === "redis") {
    problems.push(
      "AGENT_QUEUE: redis is no longer supported; the scale-out job store is PostgreSQL. Drain the Redis queue with the old version, " +
        'then set AGENT_QUEUE=postgres and AGENT_DATABASE_URL (README: "Moving from Redis to PostgreSQL")',
    );
  }
  if (e.AGENT_QUEUE === "postgres" && !e.AGENT_DATABASE_URL) {
    problems.push(
      "AGENT_DATABASE_URL: required with AGENT_QUEUE=postgres, e.g. postgres://issuesmith:secret@db.internal:5432/issuesmith",
    );
  } else if (e.AGENT_DATABASE_URL !== undefined && !/^postgres(ql)?:\/\/./.test(e.AGENT_DATABASE_URL)) {
    problems.push("AGENT_DATABASE_URL: must start with postgres:// or postgresql://");
  }

  let prices: AppEnv["model"]["prices"] = {};
  if (e.AGENT_PRICES) {
    const priceSchema = z.record(z.string(), z.object({ input: z.number().min(0), output: z.number().min(0) }));
    try {
      const p = priceSchema.safeParse(JSON.parse(e.AGENT_PRICES));
      if (p.success) prices = p.data;
      else
        problems.push(
          `AGENT_PRICES: expected {"model": {"input": usdPerMTok, "output": usdPerMTok}}: ${p.error.issues[0]?.message}`,
        );
    } catch {
      problems.push("AGENT_PRICES: not valid JSON");
    }
  }

  const spendCaps = parseSpendCaps(e.AGENT_SPEND_CAPS, problems);
  const modelDefaults = {
    name: e.AGENT_MODEL,
    baseUrl: e.OPENAI_BASE_URL,
    apiKey: e.OPENAI_API_KEY,
    contextWindow: e.AGENT_CONTEXT_WINDOW,
    maxOutputTokens: e.AGENT_MAX_OUTPUT_TOKENS,
  };
  const choices = parseModels(e.AGENT_MODELS, modelDefaults, source, problems);

  if (problems.length > 0) throw new UserError("invalid environment", problems);

  const protocol = e.GHE_PROTOCOL;
  const host = e.GHE_HOST ?? "github.com";
  const baseUrl = e.GHE_HOST ? `${protocol}://${e.GHE_HOST}/api/v3` : "https://api.github.com";
  const production = e.NODE_ENV === "production";

  return {
    github: {
      appId,
      privateKey,
      webhookSecret: e.WEBHOOK_SECRET,
      baseUrl,
      host,
      webhookProxyUrl: e.WEBHOOK_PROXY_URL,
      throttle: e.AGENT_GITHUB_THROTTLE,
    },
    server: { port: e.PORT, host: e.HOST, publicUrl: e.AGENT_PUBLIC_URL?.replace(/\/+$/, "") },
    ops: { port: e.AGENT_OPS_PORT, token: e.AGENT_OPS_TOKEN },
    log: { level: e.LOG_LEVEL, format: e.LOG_FORMAT ?? (production ? "json" : "pretty") },
    model: {
      apiKey: e.OPENAI_API_KEY,
      baseUrl: e.OPENAI_BASE_URL,
      name: e.AGENT_MODEL,
      toolProtocol: e.AGENT_TOOL_PROTOCOL,
      contextWindow: e.AGENT_CONTEXT_WINDOW,
      maxOutputTokens: e.AGENT_MAX_OUTPUT_TOKENS,
      timeoutMs: e.AGENT_MODEL_TIMEOUT_S * 1000,
      idleMs: e.AGENT_MODEL_IDLE_S * 1000,
      retries: e.AGENT_MODEL_RETRIES,
      retryWindowMs: e.AGENT_MODEL_RETRY_WINDOW_S * 1000,
      prices: {
        ...Object.fromEntries([...choices.values()].flatMap((c) => (c.price ? [[c.name, c.price]] : []))),
        ...prices,
      },
      choices,
    },
    queue: {
      backend: e.AGENT_QUEUE === "redis" ? "sqlite" : e.AGENT_QUEUE, // redis was refused above
      databaseUrl: e.AGENT_DATABASE_URL,
      retentionDays: e.AGENT_JOB_RETENTION_DAYS,
      concurrency: e.AGENT_CONCURRENCY,
      installationConcurrency: e.AGENT_INSTALLATION_CONCURRENCY,
      runWorker: e.AGENT_WORKER,
      shutdownGraceMs: e.AGENT_SHUTDOWN_GRACE_S * 1000,
      maxResumes: e.AGENT_MAX_RESUMES,
      leaseMs: e.AGENT_LEASE_S * 1000,
      positionRefreshMs: e.AGENT_QUEUE_POSITION_REFRESH_S * 1000,
    },
    spendCaps,
    dataDir: path.resolve(e.AGENT_DATA_DIR),
    workDir: path.resolve(e.AGENT_WORK_DIR ?? tmpdir()),
    cache: {
      dir: path.resolve(e.AGENT_CACHE_DIR ?? path.join(e.AGENT_DATA_DIR, "cache")),
      maxBytes: e.AGENT_CACHE_MAX_MB * 1024 * 1024,
    },
    sandbox: e.AGENT_SANDBOX,
    progressIntervalMs: e.AGENT_PROGRESS_INTERVAL_MS,
    checkpointIntervalMs: e.AGENT_CHECKPOINT_INTERVAL_S * 1000,
    repoSecrets: Object.fromEntries(
      Object.entries(source)
        .filter(
          ([k, v]) =>
            k.startsWith("AGENT_SECRET_") && k.length > "AGENT_SECRET_".length && typeof v === "string" && v !== "",
        )
        .map(([k, v]) => [k.slice("AGENT_SECRET_".length), v as string]),
    ),
    botName: e.AGENT_BOT_NAME,
    production,
  };
}

function isOpenAI(baseUrl: string): boolean {
  try {
    return new URL(baseUrl).hostname === "api.openai.com";
  } catch {
    return false;
  }
}

/** Every secret value in the environment, for the redactor. */
export function envSecrets(env: AppEnv): string[] {
  return [
    env.github.privateKey,
    env.github.webhookSecret,
    env.model.apiKey,
    ...[...env.model.choices.values()].map((c) => c.apiKey),
    env.ops.token,
    databasePassword(env.queue.databaseUrl),
    ...Object.values(env.repoSecrets),
  ].filter((s): s is string => typeof s === "string");
}

/** The password in AGENT_DATABASE_URL, as a message would show it. */
function databasePassword(url: string | undefined): string | undefined {
  try {
    return decodeURIComponent(new URL(url ?? "").password) || undefined;
  } catch {
    return undefined;
  }
}

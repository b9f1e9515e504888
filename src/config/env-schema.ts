// The zod schema of process.env (ARCHITECTURE.md §3 "Env"): every variable,
// its type and default. env.ts parses with it once and shapes the result.
import { z } from "zod";

const intFrom = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);

const bool = (def: boolean) =>
  z
    .enum(["true", "false", "1", "0", "yes", "no"])
    .default(def ? "true" : "false")
    .transform((v) => v === "true" || v === "1" || v === "yes");

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v && v.trim() !== "" ? v : undefined));

export const envSchema = z.object({
  // Probot's own.
  APP_ID: optionalString,
  PRIVATE_KEY: optionalString,
  PRIVATE_KEY_PATH: optionalString,
  WEBHOOK_SECRET: optionalString,
  PORT: intFrom(3000, 0),
  HOST: optionalString,
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
  LOG_FORMAT: z.enum(["json", "pretty"]).optional(),
  GHE_HOST: optionalString,
  GHE_PROTOCOL: z.enum(["http", "https"]).default("https"),
  WEBHOOK_PROXY_URL: optionalString,
  NODE_ENV: optionalString,

  // The model's.
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: z.string().url().default("https://api.openai.com/v1"),
  AGENT_MODEL: optionalString,

  // The app's own.
  // "redis" is known only to be refused with the way to move on (README: "Moving from Redis").
  AGENT_QUEUE: z.enum(["sqlite", "postgres", "memory", "redis"]).default("sqlite"),
  AGENT_DATABASE_URL: optionalString,
  /** Days the postgres store keeps a finished job and its trajectory (0: for ever). */
  AGENT_JOB_RETENTION_DAYS: intFrom(30, 0),
  AGENT_DATA_DIR: z.string().default("./data"),
  AGENT_WORK_DIR: optionalString,
  AGENT_CACHE_DIR: optionalString,
  AGENT_CACHE_MAX_MB: intFrom(10_240, 0),
  AGENT_WORKER: bool(true),
  AGENT_CONCURRENCY: intFrom(2, 1),
  AGENT_INSTALLATION_CONCURRENCY: intFrom(2, 1),
  AGENT_SANDBOX: z.enum(["auto", "bwrap", "none"]).default("auto"),
  AGENT_TOOL_PROTOCOL: z.enum(["auto", "native", "text"]).default("auto"),
  AGENT_CONTEXT_WINDOW: intFrom(128_000, 1_000),
  AGENT_MAX_OUTPUT_TOKENS: intFrom(4_096, 64),
  AGENT_PRICES: optionalString,
  AGENT_SPEND_CAPS: optionalString,
  AGENT_MODELS: optionalString,
  AGENT_PUBLIC_URL: optionalString,
  /** A separate listener for /healthz, /readyz and /metrics; unset: none. */
  AGENT_OPS_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  /** Bearer token for /readyz and /metrics on the webhook port; unset: they are not served there. */
  AGENT_OPS_TOKEN: optionalString,
  AGENT_SHUTDOWN_GRACE_S: intFrom(30, 0),
  AGENT_MAX_RESUMES: intFrom(3, 0),
  /** How long a worker's hold on a running job lasts unrenewed: a dead worker's job is taken over after this. */
  AGENT_LEASE_S: intFrom(30, 3),
  AGENT_QUEUE_POSITION_REFRESH_S: intFrom(30, 0),
  AGENT_PROGRESS_INTERVAL_MS: intFrom(4_000, 0),
  AGENT_CHECKPOINT_INTERVAL_S: intFrom(30, 0),
  AGENT_BOT_NAME: optionalString,
  /** The longest wait for a model endpoint's response headers. */
  AGENT_MODEL_TIMEOUT_S: intFrom(300, 1),
  /** A model endpoint that sends nothing this long (before its first chunk or between two) is taken for down. */
  AGENT_MODEL_IDLE_S: intFrom(90, 1),
  AGENT_MODEL_RETRIES: intFrom(8, 0),
  /** A model endpoint that stays down is given up on (and reported) after this long. */
  AGENT_MODEL_RETRY_WINDOW_S: intFrom(150, 0),
  /** Pace writes to GitHub as it asks (on by default; tests against a local fake turn it off). */
  AGENT_GITHUB_THROTTLE: bool(true),
});

export type RawEnv = z.infer<typeof envSchema>;

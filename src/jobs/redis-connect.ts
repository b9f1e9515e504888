// Connecting to Redis once, quickly, with a clear answer: at start-up an
// unreachable server is one UserError naming the URL, not an endless
// reconnect loop; once up, brief outages are ridden out by reconnecting.
import { Redis } from "ioredis";
import { UserError, errorMessage } from "../errors.ts";
import type { QueueLog } from "./worker.ts";

export interface ConnectOptions {
  /** How long start-up may take to reach the server. */
  connectTimeoutMs?: number;
  log?: QueueLog;
}

/** The URL with any password hidden, for messages. */
export function safeRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparseable AGENT_REDIS_URL)";
  }
}

export async function connectRedis(url: string, options: ConnectOptions = {}): Promise<Redis> {
  const timeout = options.connectTimeoutMs ?? 3_000;
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeout,
    // At start-up: one try. Replaced below once connected.
    retryStrategy: () => null,
    maxRetriesPerRequest: 3,
  });
  let lastError: unknown;
  // ioredis reports connection errors as events; without a listener it prints them itself.
  redis.on("error", (error: unknown) => {
    lastError = error;
  });
  try {
    await withTimeout(redis.connect().then(() => redis.ping()), timeout + 500);
  } catch (error) {
    redis.disconnect();
    const reason = errorMessage(lastError ?? error);
    throw new UserError(`cannot reach Redis at ${safeRedisUrl(url)} (${reason})`, [
      "Start redis-server (or point AGENT_REDIS_URL at a running one), or set AGENT_QUEUE=sqlite to use the embedded store.",
    ]);
  }
  redis.removeAllListeners("error");
  let warned = 0;
  redis.on("error", (error: unknown) => {
    // One line per outage burst, not one per reconnect attempt.
    if (Date.now() - warned > 10_000) {
      warned = Date.now();
      options.log?.warn({ err: errorMessage(error), redis: safeRedisUrl(url) }, "Redis connection error; reconnecting");
    }
  });
  redis.options.retryStrategy = (times: number) => Math.min(100 * 2 ** times, 2_000);
  return redis;
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hasAppCredentials, loadEnv } from "../../src/config/env.ts";
import { UserError } from "../../src/errors.ts";

const key = generateKeyPairSync("rsa", {
  modulusLength: 1024,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
}).privateKey;

function errorsOf(env: Record<string, string>): string[] {
  try {
    loadEnv(env);
  } catch (err) {
    if (err instanceof UserError) return err.details;
    throw err;
  }
  return [];
}

describe("the environment", () => {
  it("needs nothing to start the setup page, and every AGENT_* has a default", () => {
    const env = loadEnv({});
    expect(hasAppCredentials(env)).toBe(false);
    expect(env.queue.backend).toBe("sqlite");
    expect(env.sandbox).toBe("auto");
    expect(env.github.baseUrl).toBe("https://api.github.com");
  });

  it("with APP_ID, PRIVATE_KEY, WEBHOOK_SECRET and the model's three variables needs nothing else", () => {
    const env = loadEnv({
      APP_ID: "12",
      PRIVATE_KEY: key,
      WEBHOOK_SECRET: "s",
      AGENT_MODEL: "m",
      OPENAI_API_KEY: "k",
      OPENAI_BASE_URL: "http://localhost:11434/v1",
    });
    expect(hasAppCredentials(env)).toBe(true);
    expect(env.model).toMatchObject({ name: "m", baseUrl: "http://localhost:11434/v1" });
  });

  it("accepts a private key with \\n escapes, as .env files hold it", () => {
    const env = loadEnv({
      APP_ID: "12",
      PRIVATE_KEY: key.replace(/\n/g, "\\n"),
      WEBHOOK_SECRET: "s",
      AGENT_MODEL: "m",
      OPENAI_API_KEY: "k",
    });
    expect(env.github.privateKey).toBe(key);
  });

  it("points REST and git at GitHub Enterprise Server with GHE_HOST and GHE_PROTOCOL", () => {
    const env = loadEnv({ GHE_HOST: "ghe.example.com:8080", GHE_PROTOCOL: "http" });
    expect(env.github.baseUrl).toBe("http://ghe.example.com:8080/api/v3");
    expect(env.github.host).toBe("ghe.example.com:8080");
  });

  it("names every wrong value at once", () => {
    const problems = errorsOf({
      APP_ID: "twelve",
      PRIVATE_KEY: "not a key",
      AGENT_QUEUE: "kafka",
      AGENT_CONCURRENCY: "-1",
      AGENT_PUBLIC_URL: "nope",
    });
    const text = problems.join("\n");
    expect(text).toContain("AGENT_QUEUE");
    expect(text).toContain("AGENT_CONCURRENCY");
  });

  it("refuses credentials without a webhook secret or a model", () => {
    const text = errorsOf({ APP_ID: "12", PRIVATE_KEY: key }).join("\n");
    expect(text).toContain("WEBHOOK_SECRET");
    expect(text).toContain("AGENT_MODEL");
    expect(text).toContain("OPENAI_API_KEY");
  });

  it("serves no operator listener and opens no guarded route by default; reads AGENT_OPS_PORT and AGENT_OPS_TOKEN", () => {
    expect(loadEnv({}).ops).toEqual({ port: undefined, token: undefined });
    expect(loadEnv({ AGENT_OPS_PORT: "9102", AGENT_OPS_TOKEN: "0123456789abcdef0123" }).ops).toEqual({
      port: 9102,
      token: "0123456789abcdef0123",
    });
  });

  it("refuses an ops token too short to guard anything, and an ops port that is the webhook port", () => {
    const text = errorsOf({ AGENT_OPS_TOKEN: "short", AGENT_OPS_PORT: "3000" }).join("\n");
    expect(text).toContain("AGENT_OPS_TOKEN: too short");
    expect(text).toContain("AGENT_OPS_PORT: must differ from PORT (3000)");
    expect(errorsOf({ AGENT_OPS_PORT: "http" }).join()).toContain("AGENT_OPS_PORT");
  });

  it("reads AGENT_PRICES as JSON and says so when it is not", () => {
    expect(loadEnv({ AGENT_PRICES: '{"m": {"input": 1, "output": 2}}' }).model.prices).toEqual({
      m: { input: 1, output: 2 },
    });
    expect(errorsOf({ AGENT_PRICES: "{" }).join()).toContain("AGENT_PRICES: not valid JSON");
  });
});

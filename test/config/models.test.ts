import { describe, expect, it } from "vitest";
import { chooseModel, parseModels } from "../../src/config/models.ts";
import { envSecrets, loadEnv } from "../../src/config/env.ts";

const defaults = {
  name: "gpt-4.1",
  baseUrl: "https://api.openai.com/v1",
  apiKey: "sk-default",
  contextWindow: 128_000,
  maxOutputTokens: 4_096,
};

describe("AGENT_MODELS", () => {
  it("lists the default model first, then each allowed one with its own endpoint, key, window and prices", () => {
    const problems: string[] = [];
    const models = parseModels(
      '{"local":{"base_url":"http://127.0.0.1:8000/v1","context_window":32768,"input":0,"output":0},"azure":{"api_key_env":"AZURE_KEY"}}',
      defaults,
      { AZURE_KEY: "az-secret" },
      problems,
    );
    expect(problems).toEqual([]);
    expect([...models.keys()]).toEqual(["gpt-4.1", "local", "azure"]);
    expect(models.get("local")).toEqual({
      name: "local",
      baseUrl: "http://127.0.0.1:8000/v1",
      apiKey: "sk-default",
      contextWindow: 32768,
      maxOutputTokens: 4096,
      price: { input: 0, output: 0 },
    });
    expect(models.get("azure")?.apiKey).toBe("az-secret");
  });

  it("names every wrong value: JSON, unknown fields, a key variable that is not set, half a price", () => {
    const problems: string[] = [];
    parseModels("[oops", defaults, {}, problems);
    parseModels('{"m":{"url":"x"}}', defaults, {}, problems);
    parseModels('{"m":{"api_key_env":"NOPE"}}', defaults, {}, problems);
    parseModels('{"m":{"input":1}}', defaults, {}, problems);
    expect(problems).toEqual([
      expect.stringMatching(/^AGENT_MODELS: not valid JSON/),
      expect.stringMatching(/^AGENT_MODELS: m: .*url/),
      "AGENT_MODELS: m.api_key_env: the variable NOPE is not set",
      "AGENT_MODELS: m: give both input and output prices, or neither",
    ]);
  });

  it("chooses the command's model, else the repository's, else the default, and refuses an unlisted one with the list", () => {
    const models = parseModels('{"local":{}}', defaults, {}, []);
    expect(chooseModel(models, {}, "gpt-4.1")).toMatchObject({ ok: true, model: { name: "gpt-4.1" } });
    expect(chooseModel(models, { repo: "local" }, "gpt-4.1")).toMatchObject({ ok: true, model: { name: "local" } });
    expect(chooseModel(models, { command: "gpt-4.1", repo: "local" }, "gpt-4.1")).toMatchObject({
      ok: true,
      model: { name: "gpt-4.1" },
    });
    expect(chooseModel(models, { command: "o3" }, "gpt-4.1")).toEqual({
      ok: false,
      message: "The model `o3` (from --model) is not one this app may use. Allowed: `gpt-4.1`, `local`.",
    });
    expect(chooseModel(models, { repo: "o3" }, "gpt-4.1")).toMatchObject({
      ok: false,
      message: expect.stringContaining("(from `model:` in .github/agent.yml)"),
    });
  });

  it("keeps every allowed model's key among the secrets the redactor hides", () => {
    const env = loadEnv({
      AGENT_MODEL: "gpt-4.1",
      OPENAI_API_KEY: "sk-default-key-0123456789",
      AGENT_MODELS: '{"azure":{"api_key_env":"AZURE_KEY"}}',
      AZURE_KEY: "azure-key-0123456789abcdef",
    });
    expect(envSecrets(env)).toEqual(
      expect.arrayContaining(["sk-default-key-0123456789", "azure-key-0123456789abcdef"]),
    );
  });

  it("counts the job database's password among the secrets the redactor hides", () => {
    const env = loadEnv({
      AGENT_QUEUE: "postgres",
      AGENT_DATABASE_URL: "postgres://issuesmith:p%40ss-0123456789@db:5432/jobs",
    });
    expect(envSecrets(env)).toContain("p@ss-0123456789");
  });
});

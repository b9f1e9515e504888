// The client against the scripted model server playing each provider as
// strictly as it is, and each fault it can inject.
import { afterEach, describe, expect, it } from "vitest";
import { ContextLengthExceeded, ModelError } from "../../src/errors.ts";
import { OpenAIChatModel, type ChatModelOptions } from "../../src/llm/chat-model.ts";
import type { ChatRequest, RetryNotice } from "../../src/llm/types.ts";
import { createModelServer, type ModelServer, type ModelServerOptions } from "../support/model-server.ts";

const KEY = "sk-provider-test-0123456789abcdef";
const TOOLS: ChatRequest["tools"] = [
  {
    name: "view",
    description: "View a file",
    parameters: { type: "object", properties: { path: { type: "string" } }, required: ["path"] },
  },
];
const VIEW = { toolCalls: [{ name: "view", arguments: { path: "README.md" } }] };

let server: ModelServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(options: ModelServerOptions, client: Partial<ChatModelOptions> = {}) {
  server = await createModelServer({ apiKey: KEY, ...options });
  const model = new OpenAIChatModel({
    apiKey: KEY,
    baseUrl: server.url,
    model: options.model ?? "scripted-model",
    protocol: "auto",
    timeoutMs: 5_000,
    retries: 3,
    retryBaseDelayMs: 20,
    maxOutputTokens: 500,
    ...client,
  });
  return { server, model };
}

const ask = (model: OpenAIChatModel, extra: Partial<ChatRequest> = {}) =>
  model.complete({
    messages: [
      { role: "system", content: "be brief" },
      { role: "user", content: "look at the readme" },
    ],
    tools: TOOLS,
    ...extra,
  });

describe("the model client with each provider", () => {
  it("sends a reasoning model max_completion_tokens and no temperature, and gets native tool calls", async () => {
    const { server, model } = await setup({ provider: "openai-reasoning", model: "o4-mini", turns: [VIEW] });
    const response = await ask(model);
    expect(response.toolCalls.map((c) => [c.name, JSON.parse(c.arguments)])).toEqual([["view", { path: "README.md" }]]);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.body).toMatchObject({ max_completion_tokens: 500 });
    expect(server.requests[0]?.body).not.toHaveProperty("max_tokens");
    expect(server.requests[0]?.body).not.toHaveProperty("temperature");
    expect(model.protocol).toBe("native");
  });

  it("learns max_completion_tokens from the first refusal when the name does not tell, and stays native", async () => {
    const { server, model } = await setup({
      provider: "openai-reasoning",
      model: "team-reasoner",
      turns: [VIEW, VIEW],
    });
    await ask(model);
    await ask(model);
    expect(server.requests.map((r) => [r.outcome, r.status])).toEqual([
      ["refused-param", 400],
      ["answered", 200],
      ["answered", 200],
    ]);
    expect(server.requests[2]?.body).toHaveProperty("max_completion_tokens");
    expect(server.requests[2]?.body?.tools).toHaveLength(1);
    expect(model.protocol).toBe("native");
  });

  it("reaches an Azure deployment with api-version and the api-key header", async () => {
    const { server, model } = await setup({
      provider: "azure",
      model: "gpt-4o",
      deployment: "prod-gpt4o",
      turns: [VIEW],
    });
    expect(server.url).toMatch(/\/openai\/deployments\/prod-gpt4o\?api-version=2024-10-21$/);
    const response = await ask(model);
    expect(response.toolCalls).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({
      path: "/openai/deployments/prod-gpt4o/chat/completions",
      query: "api-version=2024-10-21",
      apiKeyHeader: KEY,
      authorization: undefined,
      outcome: "answered",
    });
  });

  it("reports an Azure deployment that does not exist, with Azure's words", async () => {
    const { server } = await setup({ provider: "azure", deployment: "prod-gpt4o" });
    const model = new OpenAIChatModel({
      apiKey: KEY,
      baseUrl: server.url.replace("prod-gpt4o", "staging"),
      model: "gpt-4o",
      protocol: "auto",
      timeoutMs: 5_000,
      retries: 3,
      maxOutputTokens: 100,
    });
    const err = await ask(model).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect(err).toMatchObject({
      reason: "not_found",
      message: expect.stringContaining("The API deployment for this resource does not exist"),
    });
    expect(server.requests).toHaveLength(1);
  });

  it("drops stream_options for a server that refuses it, estimating usage", async () => {
    const { server, model } = await setup({ reject: ["stream_options"], turns: [VIEW, VIEW] });
    const first = await ask(model);
    await ask(model);
    expect(server.requests.map((r) => r.outcome)).toEqual(["refused-param", "answered", "answered"]);
    expect(server.requests[2]?.body).not.toHaveProperty("stream_options");
    expect(first.usage.inputTokens).toBeGreaterThan(0);
    expect(first.usage.outputTokens).toBeGreaterThan(0);
  });

  it("reads tool arguments sent as objects, a stream without usage, and keeps reasoning out of the answer", async () => {
    const { model } = await setup({
      stream: {
        argumentsAsObjects: true,
        omitUsage: true,
        reasoningContent: "The user wants the readme; I will view it.",
      },
      turns: [{ content: "Looking.", ...VIEW }],
    });
    const response = await ask(model);
    expect(response.content).toBe("Looking.");
    expect(response.toolCalls.map((c) => JSON.parse(c.arguments))).toEqual([{ path: "README.md" }]);
    expect(response.usage.outputTokens).toBeGreaterThan(0);
  });

  it("switches to the text protocol when the server says it has no tools, and only then", async () => {
    const { server, model } = await setup({
      reject: ["tools"],
      turns: ['```tool\n{"name": "view", "arguments": {"path": "README.md"}}\n```'].map((content) => ({ content })),
    });
    const response = await ask(model);
    expect(model.protocol).toBe("text");
    expect(response.toolCalls.map((c) => c.name)).toEqual(["view"]);
    expect(server.requests.map((r) => r.outcome)).toEqual(["refused-tools", "answered"]);
  });

  it("reports any other 400 at once, in the provider's words, without switching protocol", async () => {
    const { server, model } = await setup({
      turns: [
        {
          status: 400,
          message: "Invalid 'messages[1].content': string too long.",
          param: "messages[1].content",
          code: "string_above_max_length",
        },
      ],
    });
    const err = await ask(model).catch((e: unknown) => e);
    expect(err).toMatchObject({
      reason: "refused",
      message: "model endpoint refused the request (400): Invalid 'messages[1].content': string too long.",
    });
    expect(model.protocol).toBe("native");
    expect(server.requests).toHaveLength(1);
  });
});

describe("the model client under faults", () => {
  it("retries a 503 and a 429 with retry-after, telling the listener each time", async () => {
    const { server, model } = await setup({ turns: [{ status: 503 }, { status: 429, retryAfter: 0 }, VIEW] });
    const notices: RetryNotice[] = [];
    const response = await ask(model, { onRetry: (n) => void notices.push(n) });
    expect(response.toolCalls).toHaveLength(1);
    expect(notices.map((n) => [n.attempt, n.status, n.message])).toEqual([
      [1, 503, "The engine is currently overloaded, please try again later."],
      [2, 429, "Rate limit reached for requests. Please try again in 1s."],
    ]);
    expect(notices[1]?.delayMs).toBe(0);
    expect(server.requests.map((r) => r.status)).toEqual([503, 429, 200]);
  });

  it("gives up on a hung request when it stays silent past the idle limit, and tries again", async () => {
    const { server, model } = await setup({ turns: [{ hang: true }, VIEW] }, { timeoutMs: 30_000, idleMs: 1_000 });
    const notices: RetryNotice[] = [];
    const started = performance.now();
    const response = await ask(model, { onRetry: (n) => void notices.push(n) });
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(response.toolCalls).toHaveLength(1);
    expect(notices[0]?.message).toBe("the model endpoint sent nothing for 1 s (AGENT_MODEL_IDLE_S)");
    expect(server.requests.map((r) => r.outcome)).toEqual(["aborted", "answered"]);
  });

  it("tries again after a stream cut midway", async () => {
    const { server, model } = await setup({ turns: [{ ...VIEW, content: "Let me look at it.", cutAfter: 3 }, VIEW] });
    const notices: RetryNotice[] = [];
    const response = await ask(model, { onRetry: (n) => void notices.push(n) });
    expect(response.toolCalls.map((c) => JSON.parse(c.arguments))).toEqual([{ path: "README.md" }]);
    expect(notices).toHaveLength(1);
    expect(server.requests.map((r) => r.outcome)).toEqual(["cut", "answered"]);
  });

  it("reports a wrong key at once, after one request, without echoing even its masked form", async () => {
    const { server, model } = await setup({ turns: [VIEW] }, { apiKey: "sk-wrong-key-000000000000000wxyz" });
    const err = await ask(model).catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: "auth" });
    expect((err as Error).message).toMatch(
      /^model endpoint refused the API key \(401\): Incorrect API key provided: \[key\]\. .* check OPENAI_API_KEY$/,
    );
    expect((err as Error).message).not.toContain("wxyz");
    expect(server.requests).toHaveLength(1);
  });

  it("reports an unknown model at once", async () => {
    const { server, model } = await setup(
      { provider: "openai", model: "gpt-4.1", turns: [VIEW] },
      { model: "gpt-4.2" },
    );
    const err = await ask(model).catch((e: unknown) => e);
    expect(err).toMatchObject({
      reason: "not_found",
      message: expect.stringContaining("The model `gpt-4.2` does not exist or you do not have access to it."),
    });
    expect(server.requests).toHaveLength(1);
  });

  it("reads a context-length refusal as such, with the window", async () => {
    const { model } = await setup({ contextWindow: 300, turns: [VIEW] });
    const err = await ask(model).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ContextLengthExceeded);
    expect((err as ContextLengthExceeded).window).toBe(300);
  });

  it("gives up on an endpoint that stays down within the window, naming status, tries and time", async () => {
    const { server, model } = await setup({}, { retries: 50, retryWindowMs: 1_500, retryBaseDelayMs: 100 });
    server.setFault({ status: 503 });
    const started = Date.now();
    const err = await ask(model).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(err).toMatchObject({ reason: "unavailable" });
    expect((err as Error).message).toMatch(
      /^model endpoint failing: 503 The engine is currently overloaded, please try again later\. after \d+ tries over \d+ s$/,
    );
    expect(server.requests.length).toBeGreaterThan(2);
    expect(server.requests.every((r) => r.outcome === "fault")).toBe(true);
  });
});

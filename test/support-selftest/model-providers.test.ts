// The scripted model server refuses what the providers refuse, with their
// status codes and bodies, so a green test means it works there.
import { afterEach, describe, expect, it } from "vitest";
import { createModelServer, type ModelServer } from "../support/model-server.ts";

let server: ModelServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function post(
  url: string,
  body: Record<string, unknown>,
  headers: Record<string, string> = { authorization: "Bearer sk-right" },
) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { error?: Record<string, unknown> } };
}
const chat = (s: ModelServer) => `${s.url}/chat/completions`;
const MESSAGES = [{ role: "user", content: "hi" }];

describe("the model server as OpenAI", () => {
  it("refuses max_tokens and a temperature other than 1 for a reasoning model, as OpenAI does", async () => {
    server = await createModelServer({
      provider: "openai-reasoning",
      model: "o3",
      apiKey: "sk-right",
      turns: [{ content: "ok" }],
    });
    expect(await post(chat(server), { model: "o3", messages: MESSAGES, max_tokens: 10 })).toEqual({
      status: 400,
      body: {
        error: {
          message:
            "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
          type: "invalid_request_error",
          param: "max_tokens",
          code: "unsupported_parameter",
        },
      },
    });
    expect((await post(chat(server), { model: "o3", messages: MESSAGES, temperature: 0.2 })).body.error).toMatchObject({
      param: "temperature",
      code: "unsupported_value",
      message: expect.stringContaining("Only the default (1) value is supported."),
    });
    expect(
      (await post(chat(server), { model: "o3", messages: MESSAGES, max_completion_tokens: 10, temperature: 1 })).status,
    ).toBe(200);
    expect(server.remaining).toBe(0);
  });

  it("answers 404 model_not_found for a model it does not serve, and 401 invalid_api_key with the key masked", async () => {
    server = await createModelServer({ provider: "openai", model: "gpt-4.1", apiKey: "sk-right" });
    expect(await post(chat(server), { model: "gpt-5-turbo", messages: MESSAGES })).toEqual({
      status: 404,
      body: {
        error: {
          message: "The model `gpt-5-turbo` does not exist or you do not have access to it.",
          type: "invalid_request_error",
          param: null,
          code: "model_not_found",
        },
      },
    });
    const wrong = await post(
      chat(server),
      { model: "gpt-4.1", messages: MESSAGES },
      { authorization: "Bearer sk-wrong-0123456789-abcd" },
    );
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toMatchObject({
      code: "invalid_api_key",
      message: expect.stringMatching(/^Incorrect API key provided: sk-\*+abcd\./),
    });
  });

  it("refuses a request past its context window with context_length_exceeded", async () => {
    server = await createModelServer({ contextWindow: 50, turns: [{ content: "ok" }] });
    const res = await post(
      chat(server),
      { model: "m", messages: [{ role: "user", content: "x".repeat(400) }], max_tokens: 10 },
      {},
    );
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      code: "context_length_exceeded",
      param: "messages",
      message: expect.stringMatching(
        /^This model's maximum context length is 50 tokens\. However, you requested \d+ tokens/,
      ),
    });
  });

  it("refuses the fields a server does not know", async () => {
    server = await createModelServer({ reject: ["stream_options", "parallel_tool_calls"], turns: [{ content: "ok" }] });
    expect(
      await post(
        chat(server),
        { model: "m", messages: MESSAGES, stream: true, stream_options: { include_usage: true } },
        {},
      ),
    ).toEqual({
      status: 400,
      body: {
        error: {
          code: null,
          message: "Unrecognized request argument supplied: stream_options",
          param: null,
          type: "invalid_request_error",
        },
      },
    });
    expect((await post(chat(server), { model: "m", messages: MESSAGES, parallel_tool_calls: false }, {})).status).toBe(
      400,
    );
  });

  it("keeps failing while a fault is set, without spending the script", async () => {
    server = await createModelServer({ turns: [{ content: "ok" }] });
    server.setFault({ status: 503 });
    const res = await post(chat(server), { model: "m", messages: MESSAGES }, {});
    expect(res).toEqual({
      status: 503,
      body: {
        error: {
          message: "The engine is currently overloaded, please try again later.",
          type: "server_error",
          param: null,
          code: null,
        },
      },
    });
    server.setFault(undefined);
    expect((await post(chat(server), { model: "m", messages: MESSAGES }, {})).status).toBe(200);
  });
});

describe("the model server as Azure OpenAI", () => {
  it("wants the deployment path, an api-version and the api-key header", async () => {
    server = await createModelServer({
      provider: "azure",
      deployment: "gpt4o-prod",
      apiKey: "azure-key",
      turns: [{ content: "ok" }],
    });
    const base = server.url.replace(/\?.*$/, "");
    const bearer = await post(
      `${base}/chat/completions?api-version=2024-10-21`,
      { messages: MESSAGES },
      { authorization: "Bearer azure-key" },
    );
    expect(bearer).toEqual({
      status: 401,
      body: {
        error: {
          code: "401",
          message: expect.stringContaining("Access denied due to invalid subscription key or wrong API endpoint."),
        },
      },
    });
    expect(await post(`${base}/chat/completions`, { messages: MESSAGES }, { "api-key": "azure-key" })).toEqual({
      status: 404,
      body: { error: { code: "404", message: "Resource not found" } },
    });
    const other = await post(
      `${base.replace("gpt4o-prod", "gpt4o-dev")}/chat/completions?api-version=2024-10-21`,
      { messages: MESSAGES },
      { "api-key": "azure-key" },
    );
    expect(other.body.error).toMatchObject({ code: "DeploymentNotFound" });
    expect(
      (
        await post(
          `${base}/chat/completions?api-version=2024-10-21`,
          { messages: MESSAGES },
          { "api-key": "azure-key" },
        )
      ).status,
    ).toBe(200);
  });
});

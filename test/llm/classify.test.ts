import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { Cancelled } from "../../src/errors.ts";
import { StreamStalled, classifyModelError, retryAfterMs } from "../../src/llm/classify.ts";

function apiError(status: number, error: Record<string, unknown>, headers: Record<string, string> = {}) {
  return OpenAI.APIError.generate(status, { error }, undefined, new Headers(headers));
}

describe("model error classification", () => {
  it("retries 5xx, 429 and 408, keeping the provider's retry-after", () => {
    expect(
      classifyModelError(
        apiError(503, { message: "The engine is currently overloaded, please try again later.", type: "server_error" }),
      ),
    ).toMatchObject({ kind: "transient", status: 503, retryAfterMs: undefined });
    expect(
      classifyModelError(
        apiError(
          429,
          { message: "Rate limit reached for gpt-4o", code: "rate_limit_exceeded" },
          { "retry-after": "7" },
        ),
      ),
    ).toMatchObject({ kind: "transient", status: 429, retryAfterMs: 7000 });
    expect(
      classifyModelError(apiError(429, { message: "slow down" }, { "retry-after-ms": "250", "retry-after": "9" })),
    ).toMatchObject({ retryAfterMs: 250 });
    expect(classifyModelError(apiError(408, { message: "timeout" }))).toMatchObject({ kind: "transient" });
  });

  it("retries timeouts, unreachable endpoints, stalled and cut streams", () => {
    expect(classifyModelError(new OpenAI.APIConnectionTimeoutError())).toMatchObject({ kind: "transient" });
    expect(
      classifyModelError(
        new OpenAI.APIConnectionError({
          cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
        }),
      ),
    ).toMatchObject({ kind: "transient", message: expect.stringContaining("ECONNREFUSED") });
    expect(classifyModelError(new StreamStalled(30_000))).toMatchObject({ kind: "transient" });
    expect(classifyModelError(new TypeError("terminated"))).toMatchObject({
      kind: "transient",
      message: expect.stringContaining("cut"),
    });
  });

  it("does not retry a spent quota, though it comes as 429", () => {
    const f = classifyModelError(
      apiError(429, {
        message: "You exceeded your current quota, please check your plan and billing details.",
        type: "insufficient_quota",
        code: "insufficient_quota",
      }),
    );
    expect(f).toMatchObject({ kind: "refused", status: 429 });
  });

  it("reads 401 and 403 as a bad key, 404 as an unknown model", () => {
    expect(
      classifyModelError(
        apiError(401, { message: "Incorrect API key provided: sk-abc***wxyz.", code: "invalid_api_key" }),
      ),
    ).toMatchObject({ kind: "auth", status: 401 });
    expect(classifyModelError(apiError(403, { message: "Project does not have access" }))).toMatchObject({
      kind: "auth",
      status: 403,
    });
    expect(
      classifyModelError(
        apiError(404, {
          message: "The model `gpt-9` does not exist or you do not have access to it.",
          code: "model_not_found",
        }),
      ),
    ).toMatchObject({
      kind: "not_found",
      message: "The model `gpt-9` does not exist or you do not have access to it.",
    });
  });

  it("names the refused parameter of a reasoning model", () => {
    const tokens = apiError(400, {
      message:
        "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
      type: "invalid_request_error",
      param: "max_tokens",
      code: "unsupported_parameter",
    });
    expect(classifyModelError(tokens)).toMatchObject({ kind: "unsupported_param", param: "max_tokens" });
    const temperature = apiError(400, {
      message:
        "Unsupported value: 'temperature' does not support 0.2 with this model. Only the default (1) value is supported.",
      param: "temperature",
      code: "unsupported_value",
    });
    expect(classifyModelError(temperature)).toMatchObject({ kind: "unsupported_param", param: "temperature" });
    const unnamed = apiError(400, {
      message:
        "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
    });
    expect(classifyModelError(unnamed)).toMatchObject({ kind: "unsupported_param", param: "max_tokens" });
    const older = apiError(400, { message: "Unrecognized request argument supplied: max_completion_tokens" });
    expect(classifyModelError(older)).toMatchObject({ kind: "unsupported_param", param: "max_completion_tokens" });
    const azure = apiError(400, { message: "Unrecognized request argument supplied: stream_options", code: null });
    expect(classifyModelError(azure)).toMatchObject({ kind: "unsupported_param", param: "stream_options" });
  });

  it("switches to the text protocol only for an error that says tools are unsupported", () => {
    expect(
      classifyModelError(apiError(400, { message: "registry.ollama.ai/library/gemma:2b does not support tools" })),
    ).toMatchObject({ kind: "tools_unsupported" });
    expect(
      classifyModelError(
        apiError(400, {
          message: '"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set',
        }),
      ),
    ).toMatchObject({ kind: "tools_unsupported" });
    expect(
      classifyModelError(
        apiError(400, { message: "Invalid 'messages[2].content': string too long.", param: "messages[2].content" }),
      ),
    ).toMatchObject({ kind: "refused", status: 400 });
    expect(classifyModelError(apiError(422, { message: "field required: messages" }))).toMatchObject({
      kind: "refused",
      status: 422,
    });
  });

  it("reads a context-length refusal with the window it names", () => {
    const f = classifyModelError(
      apiError(400, {
        message:
          "This model's maximum context length is 128000 tokens. However, your messages resulted in 130517 tokens. Please reduce the length of the messages.",
        param: "messages",
        code: "context_length_exceeded",
      }),
    );
    expect(f).toMatchObject({ kind: "context_length", window: 128000 });
  });

  it("reports cancellation as such, whatever error the abort produced", () => {
    const controller = new AbortController();
    controller.abort(new Cancelled("stop requested"));
    const f = classifyModelError(new OpenAI.APIUserAbortError(), controller.signal);
    expect(f.kind).toBe("cancelled");
    expect(f.kind === "cancelled" && f.error.message).toBe("stop requested");
  });

  it("rethrows what it does not know: a bug stays a bug", () => {
    expect(() => classifyModelError(new RangeError("index out of range"))).toThrow(RangeError);
  });

  it("reads retry-after as seconds or as a date", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(retryAfterMs(new Headers({ "retry-after": "2.5" }), now)).toBe(2500);
    expect(retryAfterMs(new Headers({ "retry-after": "Thu, 01 Jan 2026 00:00:10 GMT" }), now)).toBe(10_000);
    expect(retryAfterMs(new Headers({}), now)).toBeUndefined();
  });
});

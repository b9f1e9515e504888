// An OpenAI-compatible chat-completions client: streaming, native tool calls
// with a text-protocol fallback, and every failure turned into our kinds
// (ARCHITECTURE.md §5.3): transient ones retried within a bounded window
// (retry.ts), refused parameters learnt (request-shape.ts), refusals reported
// at once with the provider's words (classify.ts).
import type OpenAI from "openai";
import type {
  ChatCompletionChunk,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from "openai/resources/chat/completions";
import type { AppEnv } from "../config/env.ts";
import { ContextLengthExceeded, ModelError, Transient } from "../errors.ts";
import { StreamStalled, classifyModelError, type ModelFailure } from "./classify.ts";
import { createClient } from "./endpoint.ts";
import { initialShape, reshape, shapedParams, type RequestShape } from "./request-shape.ts";
import { DEFAULT_RETRY_POLICY, withRetries, type RetryPolicy, type TransientFailure } from "./retry.ts";
import { StreamAccumulator, Watchdog, readStream } from "./stream.ts";
import { parseTextToolCalls, toTextMessages } from "./text-protocol.ts";
import { estimateTokens } from "./tokens.ts";
import type { ChatMessage, ChatModel, ChatRequest, ChatResponse } from "./types.ts";

export interface ChatModelOptions {
  apiKey: string | undefined;
  baseUrl: string;
  model: string;
  protocol: AppEnv["model"]["toolProtocol"];
  /** The longest wait for the endpoint's response headers (AGENT_MODEL_TIMEOUT_S). */
  timeoutMs: number;
  /** The longest the endpoint may send nothing: before its first chunk or between two (AGENT_MODEL_IDLE_S; default timeoutMs). */
  idleMs?: number;
  /** Tries after the first when the endpoint fails transiently. */
  retries: number;
  /** No try starts after this long since the first (default DEFAULT_RETRY_POLICY.windowMs). */
  retryWindowMs?: number;
  /** First backoff, doubled each time (default DEFAULT_RETRY_POLICY.baseDelayMs). */
  retryBaseDelayMs?: number;
  maxOutputTokens: number;
}

export function chatModelOptions(env: AppEnv): ChatModelOptions {
  if (!env.model.name)
    throw new ModelError("no model configured: set AGENT_MODEL (and OPENAI_BASE_URL / OPENAI_API_KEY)", {
      reason: "not_found",
    });
  return {
    apiKey: env.model.apiKey,
    baseUrl: env.model.baseUrl,
    model: env.model.name,
    protocol: env.model.toolProtocol,
    timeoutMs: env.model.timeoutMs,
    idleMs: env.model.idleMs,
    retries: env.model.retries,
    retryWindowMs: env.model.retryWindowMs,
    maxOutputTokens: env.model.maxOutputTokens,
  };
}

/** A transient failure of one try, with what the retry notice shows. */
class EndpointTransient extends Transient {
  readonly status: number | undefined;
  constructor(failure: Extract<ModelFailure, { kind: "transient" }>, cause: unknown) {
    super(`model endpoint failing: ${failure.status ? `${failure.status} ` : ""}${failure.message}`, {
      cause,
      ...(failure.retryAfterMs !== undefined ? { retryAfterMs: failure.retryAfterMs } : {}),
    });
    this.status = failure.status;
    this.providerMessage = failure.message;
  }
  readonly providerMessage: string;
}

function transientOf(err: unknown): TransientFailure | undefined {
  return err instanceof EndpointTransient
    ? { status: err.status, retryAfterMs: err.retryAfterMs, message: err.providerMessage }
    : undefined;
}

export class OpenAIChatModel implements ChatModel {
  readonly name: string;
  #client: OpenAI;
  #options: ChatModelOptions;
  #protocol: "native" | "text" | "auto";
  #shape: RequestShape;
  #policy: RetryPolicy;
  #turn = 0;

  constructor(options: ChatModelOptions) {
    this.name = options.model;
    this.#options = options;
    this.#protocol = options.protocol;
    this.#shape = initialShape(options.model);
    this.#client = createClient(options);
    this.#policy = {
      ...DEFAULT_RETRY_POLICY,
      retries: options.retries,
      ...(options.retryWindowMs !== undefined ? { windowMs: options.retryWindowMs } : {}),
      ...(options.retryBaseDelayMs !== undefined ? { baseDelayMs: options.retryBaseDelayMs } : {}),
    };
  }

  get protocol(): "native" | "text" {
    return this.#protocol === "text" ? "text" : "native";
  }

  /** The parameters in use now (learnt from refusals). */
  get shape(): Readonly<RequestShape> {
    return this.#shape;
  }

  async complete(request: ChatRequest): Promise<ChatResponse> {
    this.#turn++;
    return withRetries(() => this.#once(request), transientOf, {
      policy: this.#policy,
      ...(request.signal ? { signal: request.signal } : {}),
      ...(request.onRetry ? { onRetry: request.onRetry } : {}),
    });
  }

  /** One try: reshaped (at most once per learnt rule) when the endpoint refuses a parameter or tools. */
  async #once(request: ChatRequest): Promise<ChatResponse> {
    for (let adjustments = 0; ; adjustments++) {
      const protocol = this.#protocol;
      try {
        const response = protocol === "text" ? await this.#completeText(request) : await this.#completeNative(request);
        if (protocol === "auto") this.#protocol = "native";
        return response;
      } catch (err) {
        const failure = classifyModelError(err, request.signal);
        if (failure.kind === "cancelled") throw failure.error;
        if (failure.kind === "transient") throw new EndpointTransient(failure, err);
        if (adjustments < 4 && failure.kind === "unsupported_param") {
          const next = reshape(this.#shape, failure);
          if (next) {
            this.#shape = next;
            continue;
          }
        }
        // Only an endpoint that says it has no tools gets the text protocol.
        if (adjustments < 4 && failure.kind === "tools_unsupported" && protocol === "auto") {
          this.#protocol = "text";
          continue;
        }
        throw refusal(failure, this.#options, err);
      }
    }
  }

  async #completeNative(request: ChatRequest): Promise<ChatResponse> {
    const started = performance.now();
    const tools: ChatCompletionTool[] = request.tools.map((t) => ({
      type: "function",
      function: { name: t.name, description: t.description, parameters: t.parameters },
    }));
    const messages = request.messages.map(toOpenAIMessage);
    const acc = await this.#stream(request, {
      messages,
      ...(tools.length > 0 ? { tools, tool_choice: "auto" as const } : {}),
    });
    const response = acc.result(this.#options.model, performance.now() - started, (out) =>
      estimateUsage(request.messages, out),
    );
    // Some models answer a native request with the text protocol anyway.
    if (response.toolCalls.length === 0 && response.content.includes("```")) {
      const parsed = parseTextToolCalls(response.content, `call_${this.#turn}`);
      if (parsed.toolCalls.length > 0) response.toolCalls = parsed.toolCalls;
    }
    return response;
  }

  async #completeText(request: ChatRequest): Promise<ChatResponse> {
    const started = performance.now();
    const messages = toTextMessages(request.messages, request.tools);
    const acc = await this.#stream(request, { messages });
    const response = acc.result(this.#options.model, performance.now() - started, (out) =>
      estimateUsage(messages, out),
    );
    const parsed = parseTextToolCalls(response.content, `call_${this.#turn}`);
    return { ...response, toolCalls: parsed.toolCalls, protocolError: parsed.error };
  }

  async #stream(
    request: ChatRequest,
    body: { messages: ChatCompletionMessageParam[]; tools?: ChatCompletionTool[]; tool_choice?: "auto" },
  ): Promise<StreamAccumulator> {
    const idleMs = this.#options.idleMs ?? this.#options.timeoutMs;
    const watchdog = new Watchdog(idleMs, () => new StreamStalled(idleMs));
    const signal = request.signal ? AbortSignal.any([request.signal, watchdog.signal]) : watchdog.signal;
    const acc = new StreamAccumulator();
    try {
      const stream = await this.#client.chat.completions.create(
        {
          model: this.#options.model,
          ...body,
          ...shapedParams(this.#shape, request.maxOutputTokens ?? this.#options.maxOutputTokens),
          stream: true,
        },
        { signal },
      );
      await readStream(stream, watchdog, (c: ChatCompletionChunk) => acc.add(c));
    } catch (err) {
      // The watchdog's abort reaches us as the SDK's abort error: say which limit it was.
      throw watchdog.error ?? err;
    } finally {
      watchdog.stop();
    }
    return acc;
  }
}

/** The ModelError a refusal ends the job with: what the endpoint said, and what to check. */
function refusal(
  failure: Exclude<ModelFailure, { kind: "cancelled" | "transient" }>,
  options: ChatModelOptions,
  cause: unknown,
): ModelError {
  const said = scrubMaskedKeys(failure.message);
  switch (failure.kind) {
    case "auth":
      return new ModelError(`model endpoint refused the API key (${failure.status}): ${said} — check OPENAI_API_KEY`, {
        cause,
        reason: "auth",
      });
    case "not_found":
      return new ModelError(
        `model endpoint does not know model \`${options.model}\` (${failure.status}): ${said} — check AGENT_MODEL and OPENAI_BASE_URL`,
        { cause, reason: "not_found" },
      );
    case "context_length":
      return new ContextLengthExceeded(
        `the conversation is longer than the model's context window: ${said}`,
        failure.window,
        cause,
      );
    case "tools_unsupported":
      return new ModelError(
        `model endpoint has no tool calls (${failure.status}): ${said} — set AGENT_TOOL_PROTOCOL=text or auto`,
        { cause, reason: "refused" },
      );
    case "unsupported_param":
      return new ModelError(`model endpoint refused the request (400): ${said}`, { cause, reason: "refused" });
    case "refused":
      return new ModelError(`model endpoint refused the request (${failure.status}): ${said}`, {
        cause,
        reason: "refused",
      });
  }
}

/** OpenAI echoes a wrong key masked (`sk-abc***wxyz`); even masked, it stays out of comments. */
function scrubMaskedKeys(text: string): string {
  return text.replace(/\b[\w-]{2,}\*{3,}[\w-]*/g, "[key]");
}

function toOpenAIMessage(m: ChatMessage): ChatCompletionMessageParam {
  switch (m.role) {
    case "system":
    case "user":
      return { role: m.role, content: m.content };
    case "assistant":
      return m.toolCalls && m.toolCalls.length > 0
        ? {
            role: "assistant",
            content: m.content || null,
            tool_calls: m.toolCalls.map((c) => ({
              id: c.id,
              type: "function" as const,
              function: { name: c.name, arguments: c.arguments },
            })),
          }
        : { role: "assistant", content: m.content };
    case "tool":
      return { role: "tool", tool_call_id: m.toolCallId, content: m.content };
  }
}

function estimateUsage(messages: Array<{ content: string | null }>, output: string) {
  return {
    inputTokens: messages.reduce((n, m) => n + estimateTokens(m.content ?? "") + 4, 0),
    outputTokens: estimateTokens(output),
  };
}

// An OpenAI-compatible chat-completions client: streaming, native tool calls
// with a text-protocol fallback, retries with backoff honouring retry-after
// (the SDK's own), and errors turned into our kinds.
import OpenAI from "openai";
import type { ChatCompletionChunk, ChatCompletionMessageParam, ChatCompletionTool } from "openai/resources/chat/completions";
import type { AppEnv } from "../config/env.ts";
import { Cancelled, ModelError, Transient } from "../errors.ts";
import { parseTextToolCalls, toTextMessages } from "./text-protocol.ts";
import { estimateTokens } from "./tokens.ts";
import type { ChatMessage, ChatModel, ChatRequest, ChatResponse, ToolCall } from "./types.ts";

export interface ChatModelOptions {
  apiKey: string | undefined;
  baseUrl: string;
  model: string;
  protocol: AppEnv["model"]["toolProtocol"];
  timeoutMs: number;
  retries: number;
  maxOutputTokens: number;
}

export function chatModelOptions(env: AppEnv): ChatModelOptions {
  if (!env.model.name) throw new ModelError("no model configured: set AGENT_MODEL (and OPENAI_BASE_URL / OPENAI_API_KEY)");
  return {
    apiKey: env.model.apiKey,
    baseUrl: env.model.baseUrl,
    model: env.model.name,
    protocol: env.model.toolProtocol,
    timeoutMs: env.model.timeoutMs,
    retries: env.model.retries,
    maxOutputTokens: env.model.maxOutputTokens,
  };
}

export class OpenAIChatModel implements ChatModel {
  readonly name: string;
  #client: OpenAI;
  #options: ChatModelOptions;
  #protocol: "native" | "text" | "auto";
  #turn = 0;

  constructor(options: ChatModelOptions) {
    this.name = options.model;
    this.#options = options;
    this.#protocol = options.protocol;
    this.#client = new OpenAI({
      baseURL: options.baseUrl,
      // Local endpoints (llama.cpp, Ollama, vLLM) need no key; the SDK insists on one.
      apiKey: options.apiKey ?? "no-key",
      maxRetries: options.retries,
      timeout: options.timeoutMs,
    });
  }

  get protocol(): "native" | "text" {
    return this.#protocol === "text" ? "text" : "native";
  }

  async complete(request: ChatRequest): Promise<ChatResponse> {
    this.#turn++;
    if (this.#protocol === "text") return this.#completeText(request);
    try {
      const response = await this.#completeNative(request);
      if (this.#protocol === "auto") this.#protocol = "native";
      return response;
    } catch (err) {
      // An endpoint without tool support rejects the `tools` field: fall back for good.
      if (this.#protocol === "auto" && err instanceof OpenAI.APIError && isToolsRejection(err)) {
        this.#protocol = "text";
        return this.#completeText(request);
      }
      throw toKnownError(err, request.signal);
    }
  }

  async #completeNative(request: ChatRequest): Promise<ChatResponse> {
    const started = performance.now();
    const tools: ChatCompletionTool[] = request.tools.map((t) => ({
      type: "function",
      function: { name: t.name, description: t.description, parameters: t.parameters },
    }));
    const stream = await this.#client.chat.completions.create(
      {
        model: this.#options.model,
        messages: request.messages.map(toOpenAIMessage),
        ...(tools.length > 0 ? { tools, tool_choice: "auto" as const } : {}),
        max_tokens: request.maxOutputTokens ?? this.#options.maxOutputTokens,
        stream: true,
        stream_options: { include_usage: true },
      },
      { signal: request.signal },
    );
    const acc = new StreamAccumulator();
    try {
      for await (const chunk of stream) acc.add(chunk);
    } catch (err) {
      throw toKnownError(err, request.signal);
    }
    const response = acc.result(this.#options.model, performance.now() - started, request);
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
    let content = "";
    let usage = { inputTokens: 0, outputTokens: 0 };
    let finishReason = "stop";
    let model = this.#options.model;
    try {
      const stream = await this.#client.chat.completions.create(
        {
          model: this.#options.model,
          messages,
          max_tokens: request.maxOutputTokens ?? this.#options.maxOutputTokens,
          stream: true,
          stream_options: { include_usage: true },
        },
        { signal: request.signal },
      );
      for await (const chunk of stream) {
        model = chunk.model || model;
        const choice = chunk.choices[0];
        if (choice?.delta?.content) content += choice.delta.content;
        if (choice?.finish_reason) finishReason = choice.finish_reason;
        if (chunk.usage) usage = { inputTokens: chunk.usage.prompt_tokens, outputTokens: chunk.usage.completion_tokens };
      }
    } catch (err) {
      throw toKnownError(err, request.signal);
    }
    if (usage.inputTokens === 0 && usage.outputTokens === 0) usage = estimateUsage(messages, content);
    const parsed = parseTextToolCalls(content, `call_${this.#turn}`);
    return {
      content,
      toolCalls: parsed.toolCalls,
      protocolError: parsed.error,
      usage,
      finishReason,
      latencyMs: Math.round(performance.now() - started),
      model,
    };
  }
}

class StreamAccumulator {
  content = "";
  calls = new Map<number, { id: string; name: string; arguments: string }>();
  finishReason = "stop";
  model = "";
  usage: { inputTokens: number; outputTokens: number } | undefined;

  add(chunk: ChatCompletionChunk): void {
    this.model = chunk.model || this.model;
    if (chunk.usage) this.usage = { inputTokens: chunk.usage.prompt_tokens, outputTokens: chunk.usage.completion_tokens };
    const choice = chunk.choices[0];
    if (!choice) return;
    if (choice.delta?.content) this.content += choice.delta.content;
    for (const d of choice.delta?.tool_calls ?? []) {
      const call = this.calls.get(d.index) ?? { id: "", name: "", arguments: "" };
      if (d.id) call.id = d.id;
      if (d.function?.name) call.name += d.function.name;
      if (d.function?.arguments) call.arguments += d.function.arguments;
      this.calls.set(d.index, call);
    }
    if (choice.finish_reason) this.finishReason = choice.finish_reason;
  }

  result(fallbackModel: string, latencyMs: number, request: ChatRequest): ChatResponse {
    const toolCalls: ToolCall[] = [...this.calls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, c]) => ({ id: c.id || `call_${index}_${Date.now()}`, name: c.name, arguments: c.arguments }));
    return {
      content: this.content,
      toolCalls,
      usage: this.usage ?? estimateUsage(request.messages, this.content + toolCalls.map((c) => c.arguments).join("")),
      finishReason: this.finishReason,
      latencyMs: Math.round(latencyMs),
      model: this.model || fallbackModel,
    };
  }
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
            tool_calls: m.toolCalls.map((c) => ({ id: c.id, type: "function" as const, function: { name: c.name, arguments: c.arguments } })),
          }
        : { role: "assistant", content: m.content };
    case "tool":
      return { role: "tool", tool_call_id: m.toolCallId, content: m.content };
  }
}

function isToolsRejection(err: InstanceType<typeof OpenAI.APIError>): boolean {
  if (err.status !== 400 && err.status !== 404 && err.status !== 422 && err.status !== 501) return false;
  return /tool|function/i.test(err.message) || err.status === 400;
}

function estimateUsage(messages: Array<{ content: string | null }>, output: string) {
  return {
    inputTokens: messages.reduce((n, m) => n + estimateTokens(m.content ?? "") + 4, 0),
    outputTokens: estimateTokens(output),
  };
}

function toKnownError(err: unknown, signal: AbortSignal | undefined): Error {
  if (signal?.aborted) {
    return signal.reason instanceof Error ? signal.reason : new Cancelled();
  }
  if (err instanceof OpenAI.APIUserAbortError) return new Cancelled();
  if (err instanceof OpenAI.APIConnectionError) return new Transient(`model endpoint unreachable: ${err.message}`, { cause: err });
  if (err instanceof OpenAI.APIError) {
    const status = err.status ?? 0;
    if (status === 429 || status >= 500 || status === 408) {
      return new Transient(`model endpoint answered ${status} after retries: ${err.message}`, { cause: err });
    }
    if (status === 401 || status === 403) return new ModelError(`model endpoint refused the credentials (${status}): check OPENAI_API_KEY`, { cause: err });
    if (status === 404) return new ModelError(`model endpoint answered 404: check OPENAI_BASE_URL and AGENT_MODEL (${err.message})`, { cause: err });
    return new ModelError(`model endpoint answered ${status}: ${err.message}`, { cause: err });
  }
  if (err instanceof Error && /terminated|ECONNRESET|socket/i.test(err.message)) {
    return new Transient(`model stream broke: ${err.message}`, { cause: err });
  }
  return err instanceof Error ? err : new Error(String(err));
}

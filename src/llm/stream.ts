// Reads a streamed chat completion into one response. Tolerates what real
// servers send: tool-call arguments as JSON objects instead of text, a
// `reasoning_content` channel beside the answer, no usage chunk at all.
import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import type { ChatResponse, TokenUsage, ToolCall } from "./types.ts";

interface LooseDelta {
  content?: string | null;
  reasoning_content?: unknown;
  reasoning?: unknown;
  tool_calls?: Array<{ index?: number; id?: string; function?: { name?: string; arguments?: unknown } }>;
}

export class StreamAccumulator {
  content = "";
  /** Reasoning text some servers stream (DeepSeek, vLLM, llama.cpp); never part of the answer. */
  reasoning = "";
  calls = new Map<number, { id: string; name: string; arguments: string }>();
  finishReason = "stop";
  model = "";
  usage: TokenUsage | undefined;

  add(chunk: ChatCompletionChunk): void {
    this.model = chunk.model || this.model;
    if (chunk.usage)
      this.usage = { inputTokens: chunk.usage.prompt_tokens, outputTokens: chunk.usage.completion_tokens };
    const choice = chunk.choices?.[0];
    if (!choice) return;
    const delta = (choice.delta ?? {}) as LooseDelta;
    if (typeof delta.content === "string") this.content += delta.content;
    const reasoning = delta.reasoning_content ?? delta.reasoning;
    if (typeof reasoning === "string") this.reasoning += reasoning;
    for (const d of delta.tool_calls ?? []) {
      const index = d.index ?? this.calls.size;
      const call = this.calls.get(index) ?? { id: "", name: "", arguments: "" };
      if (d.id) call.id = d.id;
      if (d.function?.name) call.name += d.function.name;
      const args = d.function?.arguments;
      if (typeof args === "string") call.arguments += args;
      else if (args !== undefined && args !== null) call.arguments += JSON.stringify(args);
      this.calls.set(index, call);
    }
    if (choice.finish_reason) this.finishReason = choice.finish_reason;
  }

  result(fallbackModel: string, latencyMs: number, estimate: (output: string) => TokenUsage): ChatResponse {
    const toolCalls: ToolCall[] = [...this.calls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, c]) => ({ id: c.id || `call_${index}_${Date.now()}`, name: c.name, arguments: c.arguments }));
    return {
      content: this.content,
      toolCalls,
      usage:
        this.usage ?? estimate(this.reasoning + this.content + toolCalls.map((c) => c.name + c.arguments).join("")),
      finishReason: this.finishReason,
      latencyMs: Math.round(latencyMs),
      model: this.model || fallbackModel,
    };
  }
}

/**
 * Gives up on one model call that went silent: nothing since the request was
 * sent (a hung endpoint that took the connection and answers nothing) or since
 * the last chunk, for `idleMs`. A stream that keeps sending is never cut, however
 * long it runs (a slow local model). Its signal aborts the request; `error` then
 * says why.
 */
export class Watchdog {
  readonly #controller = new AbortController();
  readonly #idleMs: number;
  readonly #onIdle: () => Error;
  #timer: NodeJS.Timeout | undefined;
  error: Error | undefined;

  constructor(idleMs: number, onIdle: () => Error) {
    this.#idleMs = idleMs;
    this.#onIdle = onIdle;
    this.heard();
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Something came from the endpoint: the silence starts again. */
  heard(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.error = this.#onIdle();
      this.#controller.abort(this.error);
    }, this.#idleMs);
  }

  stop(): void {
    clearTimeout(this.#timer);
  }
}

/** Iterates a stream into `onChunk`, each chunk telling the watchdog the endpoint is alive. */
export async function readStream(
  stream: AsyncIterable<ChatCompletionChunk>,
  watchdog: Watchdog,
  onChunk: (c: ChatCompletionChunk) => void,
): Promise<void> {
  for await (const chunk of stream) {
    watchdog.heard();
    onChunk(chunk);
  }
}

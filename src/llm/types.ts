// The model protocol as the agent loop sees it, whatever the endpoint speaks
// (native tool calls or the fenced-JSON text protocol).
import type { RetryListener } from "./retry.ts";

export type { RetryListener, RetryNotice } from "./retry.ts";

export interface ToolCall {
  id: string;
  name: string;
  /** The raw JSON text the model produced; the tool registry parses and validates it. */
  arguments: string;
}

export type ChatMessage =
  | { role: "system"; content: string }
  | { role: "user"; content: string }
  | { role: "assistant"; content: string; toolCalls?: ToolCall[] }
  | { role: "tool"; toolCallId: string; name: string; content: string };

/** JSON Schema of a tool's parameters, as sent to the model. */
export interface ToolSpec {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
}

export interface ChatRequest {
  messages: ChatMessage[];
  tools: ToolSpec[];
  maxOutputTokens?: number;
  signal?: AbortSignal;
  /** Told before each wait when the endpoint failed transiently and the client will try again. */
  onRetry?: RetryListener;
}

export interface ChatResponse {
  content: string;
  toolCalls: ToolCall[];
  /** Set when the response could not be read as tool calls (text protocol): the corrective message names it. */
  protocolError?: string;
  usage: TokenUsage;
  finishReason: string;
  latencyMs: number;
  /** The model name the endpoint reported. */
  model: string;
}

export interface ChatModel {
  readonly name: string;
  /** Which protocol is in use now ("auto" settles on one after the first call). */
  readonly protocol: "native" | "text";
  complete(request: ChatRequest): Promise<ChatResponse>;
}

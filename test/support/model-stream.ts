// OpenAI chat-completion bodies for the scripted model server: one JSON
// answer, or the SSE chunks a streaming endpoint sends (role delta, content
// deltas, tool-call deltas with the arguments cut in pieces, finish reason,
// and a usage chunk when asked for).

export interface ScriptedToolCall {
  name: string;
  /** An object is sent as its JSON text; a string is sent as-is (even if it is not valid JSON). */
  arguments: Record<string, unknown> | string;
  id?: string;
}

/** How a provider's stream differs from OpenAI's. */
export interface StreamStyle {
  /** Tool-call arguments as a JSON object in one delta, not as text in pieces (some Ollama/LiteLLM versions). */
  argumentsAsObjects?: boolean;
  /** No usage chunk, even when `stream_options.include_usage` asks for it (servers that ignore it). */
  omitUsage?: boolean;
  /** Reasoning text streamed as `reasoning_content` deltas before the answer (DeepSeek, vLLM, llama.cpp). */
  reasoningContent?: string;
}

export interface Answer {
  id: string;
  model: string;
  content: string | null;
  toolCalls: { id: string; name: string; arguments: string }[];
  finishReason: string;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

export function completionJson(answer: Answer, created: number): Record<string, unknown> {
  return {
    id: answer.id,
    object: "chat.completion",
    created,
    model: answer.model,
    system_fingerprint: "fp_scripted",
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: answer.content,
          refusal: null,
          ...(answer.toolCalls.length > 0
            ? {
                tool_calls: answer.toolCalls.map((c) => ({
                  id: c.id,
                  type: "function",
                  function: { name: c.name, arguments: c.arguments },
                })),
              }
            : {}),
        },
        logprobs: null,
        finish_reason: answer.finishReason,
      },
    ],
    usage: answer.usage,
  };
}

/** Cuts text into `parts` pieces (fewer when it is short), so clients must reassemble. */
export function split(text: string, parts: number): string[] {
  if (text.length === 0) return [];
  const size = Math.max(1, Math.ceil(text.length / parts));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

/** The `data:` payloads of a streamed answer, in order, ending with [DONE]. */
export function streamChunks(
  answer: Answer,
  created: number,
  includeUsage: boolean,
  style: StreamStyle = {},
): string[] {
  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) =>
    JSON.stringify({
      id: answer.id,
      object: "chat.completion.chunk",
      created,
      model: answer.model,
      system_fingerprint: "fp_scripted",
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
      ...(includeUsage ? { usage: null } : {}),
    });
  const out = [chunk({ role: "assistant", content: "", refusal: null })];
  for (const piece of split(style.reasoningContent ?? "", 3))
    out.push(chunk({ content: null, reasoning_content: piece }));
  for (const piece of split(answer.content ?? "", 3)) out.push(chunk({ content: piece }));
  answer.toolCalls.forEach((call, index) => {
    if (style.argumentsAsObjects) {
      out.push(
        chunk({
          tool_calls: [
            {
              index,
              id: call.id,
              type: "function",
              function: { name: call.name, arguments: asObject(call.arguments) },
            },
          ],
        }),
      );
      return;
    }
    out.push(
      chunk({ tool_calls: [{ index, id: call.id, type: "function", function: { name: call.name, arguments: "" } }] }),
    );
    for (const piece of split(call.arguments, 4))
      out.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
  });
  out.push(chunk({}, answer.finishReason));
  if (includeUsage) {
    out.push(
      JSON.stringify({
        id: answer.id,
        object: "chat.completion.chunk",
        created,
        model: answer.model,
        system_fingerprint: "fp_scripted",
        choices: [],
        usage: answer.usage,
      }),
    );
  }
  out.push("[DONE]");
  return out;
}

function asObject(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A rough token count (4 characters a token), for usage when a turn does not give one. */
export function roughTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

// The fallback for endpoints without native tool calls: tools are described
// in the system prompt and called with fenced JSON blocks the loop parses.
import type { ChatMessage, ToolCall, ToolSpec } from "./types.ts";

const FENCE = /```(?:tool|json|tool_call)?[ \t]*\n([\s\S]*?)\n?```/g;

export function textProtocolInstructions(tools: ToolSpec[]): string {
  const list = tools
    .map((t) => `### ${t.name}\n${t.description}\nParameters (JSON Schema): ${JSON.stringify(t.parameters)}`)
    .join("\n\n");
  return [
    "## Calling tools",
    "This endpoint has no native tool calls. To call a tool, end your reply with one fenced block per call:",
    "```tool",
    '{"name": "<tool name>", "arguments": { ... }}',
    "```",
    "Write nothing after the block(s). Each result comes back in the next message. Call `finish` when done.",
    "",
    "## Tools",
    list,
  ].join("\n");
}

export interface ParsedTextCalls {
  toolCalls: ToolCall[];
  /** Why the reply could not be read as tool calls; undefined when it could. */
  error: string | undefined;
}

/** Read fenced tool calls out of a reply. `idPrefix` keeps call ids unique across turns. */
export function parseTextToolCalls(content: string, idPrefix: string): ParsedTextCalls {
  const toolCalls: ToolCall[] = [];
  const problems: string[] = [];
  let index = 0;
  for (const match of content.matchAll(FENCE)) {
    const body = (match[1] ?? "").trim();
    if (!body.startsWith("{")) continue; // a code sample, not a call
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch (err) {
      problems.push(`block ${index + 1} is not valid JSON (${(err as Error).message})`);
      index++;
      continue;
    }
    const call = value as { name?: unknown; arguments?: unknown; tool?: unknown; args?: unknown };
    const name = typeof call.name === "string" ? call.name : typeof call.tool === "string" ? call.tool : undefined;
    if (!name) {
      problems.push(`block ${index + 1} has no "name"`);
      index++;
      continue;
    }
    const args = call.arguments ?? call.args ?? {};
    toolCalls.push({
      id: `${idPrefix}_${index}`,
      name,
      arguments: typeof args === "string" ? args : JSON.stringify(args),
    });
    index++;
  }
  if (problems.length > 0) {
    return {
      toolCalls,
      error: `Your tool call could not be read: ${problems.join("; ")}. Use exactly: \`\`\`tool\n{"name": "view", "arguments": {"path": "README.md"}}\n\`\`\``,
    };
  }
  return { toolCalls, error: undefined };
}

/** Rewrite a conversation for an endpoint that only knows system/user/assistant text. */
export function toTextMessages(
  messages: ChatMessage[],
  tools: ToolSpec[],
): Array<{ role: "system" | "user" | "assistant"; content: string }> {
  const out: Array<{ role: "system" | "user" | "assistant"; content: string }> = [];
  const instructions = textProtocolInstructions(tools);
  let systemDone = false;
  for (const m of messages) {
    if (m.role === "system") {
      out.push({ role: "system", content: systemDone ? m.content : `${m.content}\n\n${instructions}` });
      systemDone = true;
    } else if (m.role === "user") {
      out.push({ role: "user", content: m.content });
    } else if (m.role === "assistant") {
      const calls = (m.toolCalls ?? [])
        .map((c) => `\`\`\`tool\n${JSON.stringify({ name: c.name, arguments: safeJson(c.arguments) })}\n\`\`\``)
        .join("\n");
      const content = m.content.includes("```tool") || !calls ? m.content : `${m.content}\n${calls}`.trim();
      out.push({ role: "assistant", content });
    } else {
      const previous = out.at(-1);
      const block = `Result of \`${m.name}\`:\n${m.content}`;
      // Consecutive results of one turn travel in one user message.
      if (previous && previous.role === "user" && previous.content.startsWith("Result of `")) {
        previous.content += `\n\n${block}`;
      } else {
        out.push({ role: "user", content: block });
      }
    }
  }
  if (!systemDone) out.unshift({ role: "system", content: instructions });
  return out;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

// History condensation: keep the task and recent turns whole; when the
// estimated context passes a threshold of the model's window, old tool
// outputs become one-line digests, then the oldest turns are folded into a
// note. A request larger than the window is never sent.
import { LimitReached } from "../errors.ts";
import { estimateTokens } from "../llm/tokens.ts";
import type { ChatMessage } from "../llm/types.ts";

export interface CondenseOptions {
  /** The model's context window in tokens. */
  window: number;
  /** Tokens reserved for the reply. */
  maxOutputTokens: number;
  /** Start condensing past this fraction of the window (0–1). */
  threshold: number;
  /** Turns (assistant message + its results) at the end kept whole. */
  keepRecentTurns: number;
  /** Tokens of the tool specs sent alongside. */
  toolTokens?: number;
}

export function estimateMessages(messages: ChatMessage[]): number {
  let n = 0;
  for (const m of messages) {
    n += 4 + estimateTokens(m.content);
    if (m.role === "assistant") for (const c of m.toolCalls ?? []) n += 8 + estimateTokens(c.name + c.arguments);
  }
  return n;
}

/** Returns the messages to send: the same array when nothing needed condensing. */
export function condense(messages: ChatMessage[], options: CondenseOptions): ChatMessage[] {
  const overhead = options.toolTokens ?? 0;
  const hardLimit = options.window - options.maxOutputTokens - overhead;
  const soft = Math.min(hardLimit, Math.floor(options.window * options.threshold) - overhead);
  if (estimateMessages(messages) <= soft) return messages;

  const head = leadingContext(messages);
  const turns = splitTurns(messages.slice(head.length));
  const recent = Math.min(turns.length, options.keepRecentTurns);
  const names = callNames(messages);

  // 1. Old tool outputs become digests.
  const old = turns.slice(0, turns.length - recent).map((turn) => turn.map((m) => digest(m, names)));
  let result = [...head, ...old.flat(), ...turns.slice(turns.length - recent).flat()];
  if (estimateMessages(result) <= soft) return result;

  // 2. The oldest turns are folded into one note, until it fits.
  const folded: ChatMessage[][] = [];
  while (old.length > 0 && estimateMessages(result) > soft) {
    folded.push(old.shift()!);
    result = [...head, foldNote(folded, names), ...old.flat(), ...turns.slice(turns.length - recent).flat()];
  }
  // 3. Still too big: fold recent turns too, except the very last one.
  const keep = turns.slice(turns.length - recent);
  while (keep.length > 1 && estimateMessages(result) > hardLimit) {
    folded.push(keep.shift()!.map((m) => digest(m, names)));
    result = [...head, foldNote(folded, names), ...keep.flat()];
  }
  const size = estimateMessages(result);
  if (size > hardLimit) {
    throw new LimitReached(
      "context",
      size + overhead + options.maxOutputTokens,
      options.window,
      `the conversation no longer fits the model's context window (${(size + overhead).toLocaleString("en-US")} tokens of input, window ${options.window.toLocaleString("en-US")}) even after condensing`,
    );
  }
  return result;
}

/** System prompt and the task: everything before the first assistant turn. */
function leadingContext(messages: ChatMessage[]): ChatMessage[] {
  const i = messages.findIndex((m) => m.role === "assistant");
  return i === -1 ? messages : messages.slice(0, i);
}

/** Groups [assistant, its tool results, any user notes] so folding never orphans a result. */
function splitTurns(messages: ChatMessage[]): ChatMessage[][] {
  const turns: ChatMessage[][] = [];
  for (const m of messages) {
    if (m.role === "assistant" || turns.length === 0) turns.push([m]);
    else turns.at(-1)!.push(m);
  }
  return turns;
}

function callNames(messages: ChatMessage[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const m of messages) {
    if (m.role !== "assistant") continue;
    for (const c of m.toolCalls ?? []) names.set(c.id, `${c.name}(${shorten(c.arguments, 80)})`);
  }
  return names;
}

function digest(m: ChatMessage, names: Map<string, string>): ChatMessage {
  if (m.role === "tool") {
    if (m.content.startsWith("[condensed]")) return m;
    const lines = m.content.split("\n");
    const first = shorten(lines.find((l) => l.trim()) ?? "", 120);
    return { ...m, content: `[condensed] ${names.get(m.toolCallId) ?? m.name} → ${first} (${lines.length} lines)` };
  }
  if (m.role === "assistant" && m.content.length > 400) return { ...m, content: `${m.content.slice(0, 400)} [...]` };
  if (m.role === "user" && m.content.length > 600)
    return { ...m, content: `${m.content.slice(0, 300)}\n[... condensed ...]\n${m.content.slice(-300)}` };
  return m;
}

function foldNote(folded: ChatMessage[][], names: Map<string, string>): ChatMessage {
  const lines: string[] = [];
  for (const turn of folded) {
    for (const m of turn) {
      if (m.role === "assistant") for (const c of m.toolCalls ?? []) lines.push(`- ${names.get(c.id) ?? c.name}`);
    }
  }
  const shown = lines.slice(-40);
  return {
    role: "user",
    content: `[${folded.length} earlier step${folded.length === 1 ? "" : "s"} condensed to save context. Tools called, oldest first${lines.length > shown.length ? ` (last ${shown.length})` : ""}:]\n${shown.join("\n")}\n[Re-read any file you need; your edits are still in the workspace.]`,
  };
}

function shorten(s: string, n: number): string {
  const one = s.replace(/\s+/g, " ").trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}

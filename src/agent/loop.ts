// The agent loop (ARCHITECTURE.md §1): ask the model, run the tool calls, append the
// results; stop on `finish`, a budget limit, cancellation, or a model that
// keeps breaking the protocol. Everything else lives in tools and prompts.
import { Cancelled, ContextLengthExceeded, LimitReached, ModelError } from "../errors.ts";
import { estimateTokens } from "../llm/tokens.ts";
import type { ChatMessage, ChatModel, RetryListener, ToolCall, ToolSpec, TokenUsage } from "../llm/types.ts";
import type { ThreadNote, ToolContext, ToolOutcome } from "../tools/define.ts";
import type { BudgetTracker } from "./budget.ts";
import { condense, estimateMessages, type CondenseOptions } from "./condense.ts";

export interface ToolCaller {
  specs(): ToolSpec[];
  call(call: { name: string; arguments: string }, ctx: ToolContext): Promise<ToolOutcome>;
}

export type AgentEvent =
  | {
      type: "model";
      step: number;
      model: string;
      usage: TokenUsage;
      costUsd: number;
      latencyMs: number;
      content: string;
      toolCalls: ToolCall[];
      condensedFrom?: number;
    }
  | {
      type: "tool";
      step: number;
      name: string;
      arguments: string;
      output: string;
      isError: boolean;
      durationMs: number;
    }
  | { type: "malformed"; step: number; message: string; count: number }
  /** The model endpoint failed transiently; the client tries again at `retryAt` (ISO time). */
  | {
      type: "model_retry";
      step: number;
      attempt: number;
      maxAttempts: number;
      status?: number;
      message: string;
      retryAt: string;
      delayMs: number;
    };

export interface LoopOptions {
  model: ChatModel;
  tools: ToolCaller;
  context: ToolContext;
  /** The whole history; the loop appends to it (condensation only shapes what is sent). */
  messages: ChatMessage[];
  budget: BudgetTracker;
  condense: Omit<CondenseOptions, "toolTokens">;
  /** Consecutive malformed replies tolerated before the job fails. */
  maxMalformed?: number;
  signal: AbortSignal;
  onEvent?: (event: AgentEvent) => void | Promise<void>;
}

export type LoopResult =
  | { stop: "finish"; summary: string; threads?: ThreadNote[] }
  | { stop: "limit"; error: LimitReached }
  | { stop: "model_error"; error: ModelError }
  | { stop: "cancelled"; error: Cancelled };

export async function runAgentLoop(options: LoopOptions): Promise<LoopResult> {
  const { tools, messages, budget, signal } = options;
  const maxMalformed = options.maxMalformed ?? 3;
  const specs = tools.specs();
  const toolTokens = estimateTokens(JSON.stringify(specs));
  let malformed = 0;
  try {
    for (;;) {
      throwIfAborted(signal);
      const step = budget.usage.steps + 1;
      const { response, toSend } = await askModel(options, specs, toolTokens, retryListener(options, step));
      budget.record(response.usage);
      messages.push({
        role: "assistant",
        content: response.content,
        toolCalls: response.toolCalls.length ? response.toolCalls : undefined,
      });
      await options.onEvent?.({
        type: "model",
        step,
        model: response.model,
        usage: response.usage,
        costUsd: budget.costOf(response.usage),
        latencyMs: response.latencyMs,
        content: response.content,
        toolCalls: response.toolCalls,
        ...(toSend !== messages ? { condensedFrom: messages.length - 1 } : {}),
      });

      const problem =
        response.protocolError ??
        (response.toolCalls.length === 0 ? noToolCallMessage(response.finishReason) : undefined);
      if (problem && response.toolCalls.length === 0) {
        malformed++;
        await options.onEvent?.({ type: "malformed", step, message: problem, count: malformed });
        if (malformed >= maxMalformed) {
          return {
            stop: "model_error",
            error: new ModelError(
              `the model broke the tool-call protocol ${malformed} times in a row; last problem: ${problem}`,
            ),
          };
        }
        messages.push({
          role: "user",
          content: `${problem} (attempt ${malformed} of ${maxMalformed} before the job stops)`,
        });
        continue;
      }

      const { finish, allMalformed, lastProblem } = await runToolCalls(options, response.toolCalls, step);
      if (finish !== undefined)
        return { stop: "finish", summary: finish.summary, ...(finish.threads ? { threads: finish.threads } : {}) };

      if (allMalformed) {
        malformed++;
        await options.onEvent?.({ type: "malformed", step, message: lastProblem, count: malformed });
        if (malformed >= maxMalformed) {
          return {
            stop: "model_error",
            error: new ModelError(
              `the model sent malformed tool calls ${malformed} times in a row; last problem: ${firstLine(lastProblem)}`,
            ),
          };
        }
      } else {
        malformed = 0;
      }
    }
  } catch (err) {
    if (err instanceof LimitReached) return { stop: "limit", error: err };
    if (err instanceof Cancelled) return { stop: "cancelled", error: err };
    if (err instanceof ModelError) return { stop: "model_error", error: err };
    throw err;
  }
}

/** Tells the loop's listener when the model client will try a failed call again. */
function retryListener(options: LoopOptions, step: number): RetryListener {
  return (n) =>
    options.onEvent?.({
      type: "model_retry",
      step,
      attempt: n.attempt,
      maxAttempts: n.maxAttempts,
      ...(n.status ? { status: n.status } : {}),
      message: n.message,
      retryAt: n.retryAt.toISOString(),
      delayMs: n.delayMs,
    });
}

interface ToolRound {
  finish: NonNullable<ToolOutcome["finish"]> | undefined;
  /** Every call of the reply was malformed. */
  allMalformed: boolean;
  lastProblem: string;
}

/** Runs one reply's tool calls in order up to `finish`; every call gets a result, so the protocol stays valid. */
async function runToolCalls(options: LoopOptions, calls: ToolCall[], step: number): Promise<ToolRound> {
  const { tools, context, messages, signal } = options;
  const round: ToolRound = { finish: undefined, allMalformed: true, lastProblem: "" };
  for (const call of calls) {
    throwIfAborted(signal);
    const started = performance.now();
    const outcome = await tools.call(call, context);
    messages.push({ role: "tool", toolCallId: call.id, name: call.name, content: outcome.output });
    await options.onEvent?.({
      type: "tool",
      step,
      name: call.name,
      arguments: call.arguments,
      output: outcome.output,
      isError: outcome.isError,
      durationMs: Math.round(performance.now() - started),
    });
    if (!outcome.malformed) round.allMalformed = false;
    else round.lastProblem = outcome.output;
    if (outcome.finish) {
      round.finish = outcome.finish;
      break; // later calls in the same reply would run after "done"
    }
  }
  // Results for calls skipped after finish keep the protocol valid for a later round.
  const answered = new Set(
    messages.filter((m) => m.role === "tool").map((m) => (m as { toolCallId: string }).toolCallId),
  );
  for (const call of calls) {
    if (!answered.has(call.id))
      messages.push({
        role: "tool",
        toolCallId: call.id,
        name: call.name,
        content: "not run: `finish` was called before it",
      });
  }
  return round;
}

function noToolCallMessage(finishReason: string): string {
  if (finishReason === "length") {
    return "Your reply was cut off at the output token limit before any tool call. Reply with shorter text and one tool call.";
  }
  return "Your reply contained no tool call. Every reply must call a tool; when the task is done and tested, call `finish` with your summary.";
}

function throwIfAborted(signal: AbortSignal): void {
  if (!signal.aborted) return;
  const reason: unknown = signal.reason;
  if (reason instanceof Error) throw reason;
  throw new Cancelled();
}

/**
 * One model call. When the endpoint says the history is longer than its
 * window (our token estimate was short), the history is condensed to a
 * smaller window and sent again, a few times, before the job stops.
 */
async function askModel(
  options: LoopOptions,
  specs: ToolSpec[],
  toolTokens: number,
  onRetry: RetryListener,
): Promise<{ response: Awaited<ReturnType<ChatModel["complete"]>>; toSend: ChatMessage[] }> {
  const { model, messages, budget, signal } = options;
  let window = options.condense.window;
  for (let shrink = 0; ; shrink++) {
    const toSend = condense(messages, { ...options.condense, window, toolTokens });
    budget.beforeStep(estimateMessages(toSend) + toolTokens, options.condense.maxOutputTokens);
    try {
      const response = await model.complete({
        messages: toSend,
        tools: specs,
        maxOutputTokens: options.condense.maxOutputTokens,
        signal,
        onRetry,
      });
      return { response, toSend };
    } catch (err) {
      if (!(err instanceof ContextLengthExceeded) || shrink >= 3) throw err;
      // Aim below the endpoint's own figure when it gave one; else three quarters of what failed.
      const sent = estimateMessages(toSend) + toolTokens + options.condense.maxOutputTokens;
      window = Math.floor(Math.min(err.window ?? Infinity, sent, window) * 0.75);
    }
  }
}

function firstLine(s: string): string {
  return s.split("\n")[0] ?? s;
}

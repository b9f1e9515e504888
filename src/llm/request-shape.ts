// The parameters a model family takes (ARCHITECTURE.md §3 "Model"): OpenAI's
// reasoning models (o-series, gpt-5 family) want `max_completion_tokens` and
// refuse `max_tokens`; some servers refuse `stream_options`. Known up front
// from the model name where it tells, learnt from the first refusal otherwise.
import type { ModelFailure } from "./classify.ts";

export interface RequestShape {
  /** The name of the output cap. */
  tokenParam: "max_tokens" | "max_completion_tokens";
  /** Ask for usage in the stream (`stream_options.include_usage`). */
  streamUsage: boolean;
}

/** o1, o3-mini, o4-mini, gpt-5, gpt-5.1-codex, openai/o3, azure/gpt-5-mini … */
export function isReasoningModel(model: string): boolean {
  const name = model.toLowerCase().split("/").at(-1) ?? "";
  return /^o\d(?:$|[-.])/.test(name) || /^gpt-5(?:$|[-.])/.test(name);
}

export function initialShape(model: string): RequestShape {
  return { tokenParam: isReasoningModel(model) ? "max_completion_tokens" : "max_tokens", streamUsage: true };
}

/** The shape that avoids what the endpoint refused, or undefined when nothing we send can be changed to please it. */
export function reshape(
  shape: RequestShape,
  failure: Extract<ModelFailure, { kind: "unsupported_param" }>,
): RequestShape | undefined {
  if (failure.param === "max_tokens" && shape.tokenParam === "max_tokens")
    return { ...shape, tokenParam: "max_completion_tokens" };
  // Servers older than max_completion_tokens (a reasoning model's name on a local server) want max_tokens.
  if (failure.param === "max_completion_tokens" && shape.tokenParam === "max_completion_tokens")
    return { ...shape, tokenParam: "max_tokens" };
  if (failure.param === "stream_options" && shape.streamUsage) return { ...shape, streamUsage: false };
  return undefined;
}

/** The body fields the shape decides, for an output cap of `maxTokens`. */
export function shapedParams(
  shape: RequestShape,
  maxTokens: number,
): { max_tokens?: number; max_completion_tokens?: number; stream_options?: { include_usage: boolean } } {
  return {
    ...(shape.tokenParam === "max_tokens" ? { max_tokens: maxTokens } : { max_completion_tokens: maxTokens }),
    ...(shape.streamUsage ? { stream_options: { include_usage: true } } : {}),
  };
}

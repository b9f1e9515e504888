// Token counting without a tokenizer: the client's estimate for endpoints that
// report no usage, and the agent's for sizing its history. One rule for both,
// kept apart from the concrete client so the agent depends on no endpoint.

/** Rough token estimate: ~4 characters a token. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

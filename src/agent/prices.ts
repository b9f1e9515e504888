// USD per million tokens. A model not listed costs 0 (local models), unless
// AGENT_PRICES names it; longest matching prefix wins ("gpt-4.1-mini-2025..." → "gpt-4.1-mini").
export type PriceTable = Record<string, { input: number; output: number }>;

export const DEFAULT_PRICES: PriceTable = {
  "gpt-4.1": { input: 2, output: 8 },
  "gpt-4.1-mini": { input: 0.4, output: 1.6 },
  "gpt-4.1-nano": { input: 0.1, output: 0.4 },
  "gpt-4o": { input: 2.5, output: 10 },
  "gpt-4o-mini": { input: 0.15, output: 0.6 },
  "gpt-5": { input: 1.25, output: 10 },
  "gpt-5-mini": { input: 0.25, output: 2 },
  "gpt-5-nano": { input: 0.05, output: 0.4 },
  o3: { input: 2, output: 8 },
  "o4-mini": { input: 1.1, output: 4.4 },
  "claude-sonnet-4": { input: 3, output: 15 },
  "claude-opus-4": { input: 15, output: 75 },
  "claude-haiku-4": { input: 1, output: 5 },
  "deepseek-chat": { input: 0.27, output: 1.1 },
  "deepseek-reasoner": { input: 0.55, output: 2.19 },
};

export function priceFor(model: string, overrides: PriceTable = {}): { input: number; output: number } {
  const table = { ...DEFAULT_PRICES, ...overrides };
  const name = model.toLowerCase().replace(/^.*\//, ""); // "openai/gpt-4.1" → "gpt-4.1"
  let best: string | undefined;
  for (const key of Object.keys(table)) {
    const k = key.toLowerCase();
    if ((name === k || name.startsWith(`${k}-`) || name.startsWith(`${k}:`)) && (!best || k.length > best.length))
      best = key;
  }
  return best ? table[best]! : { input: 0, output: 0 };
}

export function costUsd(model: string, inputTokens: number, outputTokens: number, overrides?: PriceTable): number {
  const p = priceFor(model, overrides);
  return (inputTokens * p.input + outputTokens * p.output) / 1_000_000;
}

// Hard caps on one job. Checked before every model call, so a job never starts
// a step it cannot pay for: the next request's input is estimated and counted.
import type { Budget } from "../config/repo-config.ts";
import { LimitReached } from "../errors.ts";
import type { Usage } from "../shared/job.ts";
import type { TokenUsage } from "../llm/types.ts";
import { costUsd, type PriceTable } from "./prices.ts";

export interface BudgetLimits {
  steps: number;
  tokens: number;
  costUsd: number;
  wallMs: number;
}

export function limitsFromConfig(budget: Budget): BudgetLimits {
  return {
    steps: budget.steps,
    tokens: budget.tokens,
    costUsd: budget.cost_usd,
    wallMs: budget.wall_clock_minutes * 60_000,
  };
}

export class BudgetTracker {
  readonly limits: BudgetLimits;
  readonly #model: string;
  readonly #prices: PriceTable;
  readonly #startedAt: number;
  readonly #now: () => number;
  #usage: Usage;

  constructor(
    limits: BudgetLimits,
    model: string,
    prices: PriceTable = {},
    options: { used?: Usage; now?: () => number } = {},
  ) {
    this.limits = limits;
    this.#model = model;
    this.#prices = prices;
    this.#now = options.now ?? Date.now;
    // A resumed job keeps counting from what it had already spent.
    this.#usage = { ...(options.used ?? { steps: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, wallMs: 0 }) };
    this.#startedAt = this.#now() - this.#usage.wallMs;
  }

  get usage(): Usage {
    return { ...this.#usage, wallMs: this.#now() - this.#startedAt };
  }

  get remainingMs(): number {
    return Math.max(0, this.limits.wallMs - (this.#now() - this.#startedAt));
  }

  /**
   * Throw LimitReached when the next step would break a cap: `nextInputTokens`
   * is the estimated size of the request about to be sent, `maxOutputTokens`
   * what it may produce, so tokens and cost are checked before they are spent.
   */
  beforeStep(nextInputTokens: number, maxOutputTokens: number): void {
    const u = this.usage;
    if (u.steps >= this.limits.steps) throw new LimitReached("steps", u.steps, this.limits.steps);
    if (u.wallMs >= this.limits.wallMs)
      throw new LimitReached(
        "wall_clock",
        u.wallMs,
        this.limits.wallMs,
        `budget limit reached: wall clock (${fmtMin(u.wallMs)} of ${fmtMin(this.limits.wallMs)})`,
      );
    const tokens = u.inputTokens + u.outputTokens;
    if (tokens + nextInputTokens + maxOutputTokens > this.limits.tokens) {
      throw new LimitReached(
        "tokens",
        tokens,
        this.limits.tokens,
        `budget limit reached: tokens (${tokens.toLocaleString("en-US")} used, the next step could take ${(nextInputTokens + maxOutputTokens).toLocaleString("en-US")} more, the cap is ${this.limits.tokens.toLocaleString("en-US")})`,
      );
    }
    const nextCost = costUsd(this.#model, nextInputTokens, maxOutputTokens, this.#prices);
    if (u.costUsd + nextCost > this.limits.costUsd) {
      throw new LimitReached(
        "cost",
        u.costUsd,
        this.limits.costUsd,
        `budget limit reached: cost ($${u.costUsd.toFixed(2)} used, the next step could cost $${nextCost.toFixed(2)}, the cap is $${this.limits.costUsd.toFixed(2)})`,
      );
    }
  }

  /** Count a finished model call. */
  record(usage: TokenUsage): void {
    this.#usage.steps += 1;
    this.#usage.inputTokens += usage.inputTokens;
    this.#usage.outputTokens += usage.outputTokens;
    this.#usage.costUsd += costUsd(this.#model, usage.inputTokens, usage.outputTokens, this.#prices);
  }

  costOf(usage: TokenUsage): number {
    return costUsd(this.#model, usage.inputTokens, usage.outputTokens, this.#prices);
  }
}

function fmtMin(ms: number): string {
  return `${(ms / 60_000).toFixed(1)} min`;
}

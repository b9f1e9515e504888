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

/** Tokens and dollars. */
export interface Spend {
  tokens: number;
  costUsd: number;
}

/**
 * The tokens and cost several attempts of one job draw on together: the job's cap holds across all of
 * them. Each step reserves its worst case before it is sent and settles at what it used, so attempts
 * running at the same time never pass the cap between them.
 */
export class SpendPool {
  readonly limits: Spend;
  #used: Spend;
  #reserved: Spend = { tokens: 0, costUsd: 0 };

  constructor(limits: Spend, used: Spend = { tokens: 0, costUsd: 0 }) {
    this.limits = limits;
    this.#used = { ...used };
  }

  get used(): Spend {
    return { ...this.#used };
  }

  /** Hold `worst` for a step about to be sent, or throw LimitReached when it does not fit beside the others. */
  reserve(worst: Spend): Spend {
    const tokens = this.#used.tokens + this.#reserved.tokens;
    if (tokens + worst.tokens > this.limits.tokens)
      throw new LimitReached(
        "tokens",
        tokens,
        this.limits.tokens,
        `budget limit reached: tokens of all attempts together (${tokens.toLocaleString("en-US")} used or held, the next step could take ${worst.tokens.toLocaleString("en-US")} more, the cap is ${this.limits.tokens.toLocaleString("en-US")})`,
      );
    const cost = this.#used.costUsd + this.#reserved.costUsd;
    if (cost + worst.costUsd > this.limits.costUsd)
      throw new LimitReached(
        "cost",
        cost,
        this.limits.costUsd,
        `budget limit reached: cost of all attempts together ($${cost.toFixed(2)} used or held, the next step could cost $${worst.costUsd.toFixed(2)}, the cap is $${this.limits.costUsd.toFixed(2)})`,
      );
    this.#reserved = { tokens: this.#reserved.tokens + worst.tokens, costUsd: this.#reserved.costUsd + worst.costUsd };
    return worst;
  }

  /** Give back a reservation, and count what the step really used (nothing when it was not sent). */
  settle(held: Spend, used: Spend = { tokens: 0, costUsd: 0 }): void {
    this.#reserved = { tokens: this.#reserved.tokens - held.tokens, costUsd: this.#reserved.costUsd - held.costUsd };
    this.#used = { tokens: this.#used.tokens + used.tokens, costUsd: this.#used.costUsd + used.costUsd };
  }
}

export class BudgetTracker {
  readonly limits: BudgetLimits;
  readonly #model: string;
  readonly #prices: PriceTable;
  readonly #startedAt: number;
  readonly #now: () => number;
  readonly #pool: SpendPool | undefined;
  #held: Spend | undefined;
  #usage: Usage;

  /** `pool`: the tokens and cost this run shares with the job's other attempts (its own caps stay too). */
  constructor(
    limits: BudgetLimits,
    model: string,
    prices: PriceTable = {},
    options: { used?: Usage; now?: () => number; pool?: SpendPool } = {},
  ) {
    this.limits = limits;
    this.#model = model;
    this.#prices = prices;
    this.#pool = options.pool;
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
    if (this.#pool) {
      this.release();
      this.#held = this.#pool.reserve({ tokens: nextInputTokens + maxOutputTokens, costUsd: nextCost });
    }
  }

  /** Give back what the last check held in the shared pool for a step never sent (the run ends, or retries). */
  release(): void {
    if (this.#held) this.#pool?.settle(this.#held);
    this.#held = undefined;
  }

  /** Count a finished model call. */
  record(usage: TokenUsage): void {
    if (this.#pool) {
      this.#pool.settle(this.#held ?? { tokens: 0, costUsd: 0 }, {
        tokens: usage.inputTokens + usage.outputTokens,
        costUsd: this.costOf(usage),
      });
      this.#held = undefined;
    }
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

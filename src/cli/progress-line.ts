// The live progress line of `issuesmith run` on a terminal (one line per
// event when not a TTY, so logs stay readable).
import { formatDuration } from "../shared/duration.ts";
import { describeCall, modelRetryNotice } from "../run/reporter.ts";
import type { SolveEvent } from "../run/solve.ts";

export class ProgressLine {
  readonly #out: NodeJS.WriteStream;
  readonly #tty: boolean;
  readonly #started = Date.now();
  readonly #maxSteps: number;
  #step = 0;
  #tokens = 0;
  #cost = 0;
  #last = "";
  #phase = "starting";

  constructor(out: NodeJS.WriteStream, maxSteps: number) {
    this.#out = out;
    this.#tty = Boolean(out.isTTY);
    this.#maxSteps = maxSteps;
  }

  event(e: SolveEvent): void {
    if (e.type === "phase") {
      this.#phase = e.phase === "edit" ? "working" : e.phase;
      if (!this.#tty) this.#out.write(`[${this.#phase}]${e.detail ? ` ${e.detail}` : ""}\n`);
    } else if (e.type === "model") {
      this.#step = e.step;
      this.#tokens += e.usage.inputTokens + e.usage.outputTokens;
      this.#cost += e.costUsd;
    } else if (e.type === "tool") {
      this.#last = describeCall(e.name, e.arguments) + (e.isError ? " ✗" : "");
      if (!this.#tty) this.#out.write(`step ${e.step}: ${this.#last}\n`);
    } else if (e.type === "test") {
      if (!this.#tty)
        this.#out.write(`tests: ${e.run.passed ? "passed" : `failed (exit ${e.run.exitCode ?? "killed"})`}\n`);
    } else if (e.type === "model_retry") {
      this.#last = `model endpoint failing (${e.status ?? e.message.split("\n")[0]}), retrying`;
      if (!this.#tty) this.#out.write(`step ${e.step}: ${modelRetryNotice(e)}\n`);
    } else if (e.type === "malformed" && !this.#tty) {
      this.#out.write(`step ${e.step}: malformed reply (${e.count}): ${e.message.split("\n")[0]}\n`);
    }
    this.#render();
  }

  #render(): void {
    if (!this.#tty) return;
    const tokens = this.#tokens >= 1000 ? `${(this.#tokens / 1000).toFixed(1)}k` : String(this.#tokens);
    const line = `${this.#phase} · step ${this.#step}/${this.#maxSteps} · ${this.#last || "…"} · ${tokens} tok · $${this.#cost.toFixed(3)} · ${formatDuration(Date.now() - this.#started)}`;
    const width = this.#out.columns || 100;
    this.#out.write(`\r\x1b[2K${line.length > width - 1 ? `${line.slice(0, width - 2)}…` : line}`);
  }

  done(): void {
    if (this.#tty) this.#out.write("\n");
  }
}

// Eval progress: a redrawn bar on a terminal, one line per finished task
// otherwise (CI logs stay readable).
import { isHarnessFailure } from "./harness.ts";
import type { TaskResult } from "./run-task.ts";

export class EvalProgress {
  readonly #out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly #tty: boolean;
  readonly #total: number;
  readonly #running = new Map<string, string>();
  readonly #started = Date.now();
  #done = 0;
  #resolved = 0;

  constructor(
    out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number },
    total: number,
    alreadyDone: TaskResult[] = [],
  ) {
    this.#out = out;
    this.#tty = Boolean(out.isTTY);
    this.#total = total;
    this.#done = alreadyDone.length;
    this.#resolved = alreadyDone.filter((r) => r.resolved).length;
  }

  started(id: string): void {
    this.#running.set(id, "starting");
    this.#render();
  }

  /** What a running task is doing now (its phase or step). */
  activity(id: string, what: string): void {
    if (!this.#running.has(id)) return;
    this.#running.set(id, what);
    this.#render();
  }

  finished(r: TaskResult): void {
    this.#running.delete(r.id);
    this.#done++;
    if (r.resolved) this.#resolved++;
    const harness = isHarnessFailure(r.failure);
    const line = `${r.resolved ? "✓" : harness ? "!" : "✗"} ${r.id} · ${r.resolved ? "resolved" : `${r.failure}${harness ? " (harness, not scored)" : ""}: ${r.reason}`} · ${r.steps} steps · ${(r.wallMs / 1000).toFixed(1)} s`;
    if (this.#tty) this.#out.write(`\r\x1b[2K${this.#fit(line)}\n`);
    else this.#out.write(`[${this.#done}/${this.#total}] ${line}\n`);
    this.#render();
  }

  /** Clear the bar (before the final summary or on exit). */
  end(): void {
    if (this.#tty) this.#out.write("\r\x1b[2K");
  }

  #render(): void {
    if (!this.#tty) return;
    const width = 20;
    const filled = this.#total ? Math.round((width * this.#done) / this.#total) : width;
    const bar = `[${"#".repeat(filled)}${"-".repeat(width - filled)}]`;
    const secs = Math.round((Date.now() - this.#started) / 1000);
    const running = [...this.#running].map(([id, what]) => `${id}: ${what}`).join(" · ");
    this.#out.write(
      `\r\x1b[2K${this.#fit(`${bar} ${this.#done}/${this.#total} · resolved ${this.#resolved} · ${Math.floor(secs / 60)}m${String(secs % 60).padStart(2, "0")}s${running ? ` · ${running}` : ""}`)}`,
    );
  }

  #fit(line: string): string {
    const cols = (this.#out.columns || 100) - 1;
    return line.length > cols ? `${line.slice(0, cols - 1)}…` : line;
  }
}

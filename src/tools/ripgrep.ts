// Running ripgrep for `search`. It is spawned directly (no shell, fixed argv,
// clean env) rather than through the sandbox runner, because:
//  - it only reads, and only inside the repository: the target path has
//    passed the path guard, rg does not follow symlinks unless told (-L is
//    never passed), `--no-config` ignores any config file, the pattern goes
//    after `-e` so it can never become an option, and nothing it reads is
//    executed (no `--pre`);
//  - search is the agent's most frequent call, and a sandbox start costs
//    ~14 ms p50 for bwrap alone on the 2-core CI machine (`bwrap --ro-bind /
//    / --unshare-all true`, 30 runs) against ~5 ms for a plain spawn: where
//    rg walks a 10,000-file tree in a few tens of ms, that is a large share
//    of the 50 ms budget for a tool call. (On a machine with slow file I/O the
//    walk itself dominates either way: bench/tools.ts prints rg alone, rg
//    through the runner, and this tool side by side.)
// The `git grep` fallback (rg missing) does go through the runner: git reads
// the repository's .git/config, which the agent's commands could have changed.
import { spawn } from "node:child_process";

export interface RgResult {
  /** Output lines, at most `keepLines`. */
  lines: string[];
  /** All output lines seen (the count stops at `countLimit`). */
  totalLines: number;
  /** The count hit countLimit and rg was stopped. */
  countCapped: boolean;
  exitCode: number | null;
  stderr: string;
  timedOut: boolean;
}

export interface RgOptions {
  cwd: string;
  keepLines: number;
  countLimit: number;
  timeoutMs: number;
  signal?: AbortSignal;
}

let available: boolean | undefined;

/** Run rg; resolves undefined when rg is not installed. */
export function runRipgrep(args: string[], options: RgOptions): Promise<RgResult | undefined> {
  if (available === false) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const child = spawn("rg", ["--no-config", ...args], {
      cwd: options.cwd,
      env: { PATH: "/usr/local/bin:/usr/bin:/bin", LANG: "C.UTF-8", LC_ALL: "C.UTF-8" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const lines: string[] = [];
    let total = 0;
    let partial = "";
    let stderr = "";
    let capped = false;
    let timedOut = false;
    const stop = () => child.kill("SIGKILL");
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, options.timeoutMs);
    options.signal?.addEventListener("abort", stop, { once: true });
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      if (capped) return;
      if (lines.length >= options.keepLines) {
        // Only counting now: newlines, without splitting a string per line.
        for (let i = chunk.indexOf("\n"); i !== -1; i = chunk.indexOf("\n", i + 1)) total++;
        if (total >= options.countLimit) {
          capped = true;
          stop();
        }
        return;
      }
      const parts = (partial + chunk).split("\n");
      partial = parts.pop() ?? "";
      for (const line of parts) {
        total++;
        if (lines.length < options.keepLines) lines.push(line);
        if (total >= options.countLimit) {
          capped = true;
          stop();
          break;
        }
      }
    });
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      if (stderr.length < 8_000) stderr += chunk;
    });
    let settled = false;
    child.on("error", (err: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", stop);
      if (err.code === "ENOENT") {
        available = false;
        resolve(undefined);
      } else resolve({ lines, totalLines: total, countCapped: capped, exitCode: 2, stderr: err.message, timedOut });
    });
    child.on("close", (code) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", stop);
      if (partial && !capped && lines.length < options.keepLines) {
        total++;
        lines.push(partial);
      }
      available = true;
      resolve({ lines, totalLines: total, countCapped: capped, exitCode: code, stderr, timedOut });
    });
  });
}

/** For tests of the fallback: pretend rg is (not) installed; undefined re-detects. */
export function setRipgrepAvailable(value: boolean | undefined): void {
  available = value;
}

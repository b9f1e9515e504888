// How long a package install takes to give up in a sandbox without network:
// with the offline settings every no-network command gets (OFFLINE_ENV), and,
// for comparison, with them switched off (how it was before: npm retried a
// registry it could not reach for minutes). Uses bubblewrap (no network
// inside); prints "unavailable" where it or a tool is missing.
// Run alone with `node bench/offline.ts`; `BENCH_OFFLINE_BEFORE=0` skips the slow "before" runs.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { OFFLINE_ENV } from "../src/workspace/offline-env.ts";
import { BwrapRunner } from "../src/workspace/sandbox.ts";
import type { Workspace } from "../src/workspace/types.ts";
import type { BenchResult } from "./stats.ts";

const INSTALLS: Record<string, string> = {
  npm: "npm install --no-package-lock",
  pip: 'python3 -m pip install --break-system-packages --target "$HOME/site" six',
};

/** The same variables, each set to what the tool does by default. */
const ONLINE_DEFAULTS: Record<string, string> = {
  ...Object.fromEntries(Object.keys(OFFLINE_ENV).map((k) => [k, ""])),
  npm_config_offline: "false",
  PIP_NO_INDEX: "0",
  YARN_ENABLE_NETWORK: "1",
  CARGO_NET_OFFLINE: "false",
  GOPROXY: "https://proxy.golang.org,direct",
};

export async function benchOffline(): Promise<BenchResult> {
  const runner = new BwrapRunner();
  const figures: Record<string, number | string> = {};
  const before = process.env.BENCH_OFFLINE_BEFORE !== "0";
  for (const [tool, command] of Object.entries(INSTALLS)) {
    for (const mode of before ? ["after", "before"] : ["after"]) {
      const root = await mkdtemp(path.join(tmpdir(), "issuesmith-bench-offline-"));
      const workspace: Workspace = { root, repoDir: path.join(root, "repo"), homeDir: path.join(root, "home") };
      try {
        await mkdir(workspace.repoDir);
        await mkdir(workspace.homeDir);
        await writeFile(
          path.join(workspace.repoDir, "package.json"),
          JSON.stringify({ name: "offline-bench", version: "1.0.0", dependencies: { "left-pad": "1.3.0" } }),
        );
        const run = await runner.run({
          command,
          workspace,
          timeoutMs: 600_000,
          network: false,
          ...(mode === "before" ? { env: ONLINE_DEFAULTS } : {}),
        });
        const last =
          run.output
            .trim()
            .split("\n")
            .find((l) => /ENOTCACHED|EAI_AGAIN|No matching distribution|ERROR|error/.test(l)) ??
          run.output.trim().split("\n").at(-1) ??
          "";
        figures[`${tool}_${mode}`] =
          run.exitCode === 127
            ? "unavailable (not installed)"
            : `${(run.durationMs / 1000).toFixed(1)} s to fail (exit ${run.exitCode ?? run.killed}): ${last.slice(0, 100)}`;
      } catch (err) {
        figures[`${tool}_${mode}`] = `unavailable: ${(err as Error).message}`;
      } finally {
        await rm(root, { recursive: true, force: true });
      }
    }
  }
  figures.target = "a no-network install fails in seconds, not minutes";
  return { name: "offline installs fail fast", figures };
}

if (import.meta.main) {
  const r = await benchOffline();
  console.log(r.name);
  for (const [k, v] of Object.entries(r.figures)) console.log(`  ${k}  ${v}`);
}

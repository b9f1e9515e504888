// `run_tests` with a filter: the repository's test command narrowed to a path
// or a test name, in the dialect of the runner behind it. When the runner is
// unknown the whole suite runs, and the result says so.
import { stat } from "node:fs/promises";
import path from "node:path";
import { readRepoText } from "../security/repo-file.ts";
import { shellQuote } from "./syntax-check.ts";

export type RunnerKind = "vitest" | "jest" | "mocha" | "node-test" | "pytest" | "go" | "cargo" | "unknown";

export interface FilteredCommand {
  command: string;
  /** Said to the model when the filter could not be applied as asked. */
  note?: string;
}

export async function filteredTestCommand(
  testCommand: string,
  filter: string,
  repoDir: string,
): Promise<FilteredCommand> {
  const f = filter.trim();
  const q = shellQuote(f);
  const isPath = await looksLikePath(repoDir, f);
  const pm = /^(npm|yarn|pnpm|bun)\s+(?:run\s+)?(?:test|t)(?:\s|$)/.exec(testCommand.trim())?.[1];
  const script = pm ? await testScript(repoDir) : undefined;
  const kind = runnerKind(script ?? testCommand);
  // npm needs `--` to hand arguments to the script; yarn, pnpm and bun pass them on as they are.
  const sep = pm === "npm" ? (testCommand.includes(" -- ") ? "" : "-- ") : "";
  const base = testCommand.trim();
  switch (kind) {
    case "vitest":
    case "jest":
      return { command: isPath ? `${base} ${sep}${q}` : `${base} ${sep}-t ${q}` };
    case "mocha":
      return isPath ? { command: `${base} ${sep}${q}` } : { command: `${base} ${sep}--grep ${q}` };
    case "node-test": {
      if (!isPath) return { command: `${base} ${sep}--test-name-pattern=${q}` };
      // A path must replace the command's own file list rather than join it:
      // keep `node [flags] --test [flags]` from the command (or the npm script) and add the path.
      const prefix = /^(.*?\bnode\b.*?\s--test\b(?:\s+-\S+)*)/.exec(script ?? base)?.[1];
      return { command: `${prefix ?? "node --test"} ${q}` };
    }
    case "pytest":
      return { command: isPath ? `${base} ${q}` : `${base} -k ${q}` };
    case "go": {
      if (!isPath) return { command: `${base} -run ${q}` };
      const dir = f.endsWith(".go") ? path.posix.dirname(f) : f.replace(/\/(\.\.\.)?$/, "");
      return { command: `go test ${shellQuote(dir.startsWith(".") || dir.startsWith("/") ? dir : `./${dir}`)}` };
    }
    case "cargo": {
      const integration = /^tests\/([^/]+)\.rs$/.exec(f);
      if (integration) return { command: `${base} --test ${shellQuote(integration[1]!)}` };
      return {
        command: `${base} ${q}`,
        ...(isPath ? { note: "cargo filters by test name, not path: the filter was passed as a name." } : {}),
      };
    }
    default:
      if (pm)
        return {
          command: `${base} ${sep}${q}`,
          note: "The test runner behind the test script is not recognised: the filter was passed to it as an argument.",
        };
      return {
        command: base,
        note: `\`${base}\` has no known way to run a subset: the whole suite ran. For a subset, call the runner directly with \`shell\`.`,
      };
  }
}

export function runnerKind(command: string): RunnerKind {
  if (/\bvitest\b/.test(command)) return "vitest";
  if (/\bjest\b/.test(command)) return "jest";
  if (/\bmocha\b/.test(command)) return "mocha";
  if (/\bnode\b[^|;&]*\s--test\b/.test(command)) return "node-test";
  if (/\bpytest\b/.test(command)) return "pytest";
  if (/\bgo\s+test\b/.test(command)) return "go";
  if (/\bcargo\s+(test|nextest)\b/.test(command)) return "cargo";
  return "unknown";
}

async function testScript(repoDir: string): Promise<string | undefined> {
  try {
    // The agent may have made package.json a FIFO or a link to /dev/zero: read it only as a regular file of the checkout.
    const pkg = JSON.parse((await readRepoText(repoDir, "package.json", 1024 * 1024))?.text ?? "") as {
      scripts?: Record<string, unknown>;
    };
    const test = pkg.scripts?.test;
    return typeof test === "string" ? test : undefined;
  } catch {
    return undefined;
  }
}

async function looksLikePath(repoDir: string, f: string): Promise<boolean> {
  if (/[/\\]/.test(f) || f.includes("::") || /\.(m?[jt]sx?|c[jt]s|py|go|rs)$/.test(f)) return true;
  try {
    await stat(path.resolve(repoDir, f));
    return !path.isAbsolute(f) && !f.startsWith("..");
  } catch {
    return false;
  }
}

// The trust boundary applied to one job (ARCHITECTURE.md §6): setup with
// network runs on the base's tree only; the verification run that gets the
// opted-in secrets runs only when the test machinery is the base's, after the
// model is done, with its output withheld from everyone and its changes to
// the workspace undone. The rules of what counts live in security/trust.ts.
import type { Logger } from "pino";
import { assessTrust, pathList, type TrustVerdict } from "../security/trust.ts";
import type { GitWorkspace } from "../workspace/git.ts";
import { changedSince, fileAt, onTreeOf, restoreTree, snapshotTree } from "../workspace/git-tree.ts";

export interface TrustGate {
  /** The opted-in secrets this installation provides, for trusted runs only; undefined when none. */
  readonly secretEnv: Record<string, string> | undefined;
  /** Runs `fn` (the setup command) with the base commit's tracked files checked out, until `settling` is done too. */
  onBase<T>(fn: () => Promise<T>, settling?: Promise<unknown>[]): Promise<T>;
  /** Which changed paths (from the base to the workspace now) are test or install machinery. */
  assess(testCommand: string | undefined, setupCommand: string | undefined): Promise<TrustVerdict>;
  /** Runs `fn` and then puts the working tree back as it was before. */
  isolated<T>(fn: () => Promise<T>): Promise<T>;
}

export function trustGate(
  git: GitWorkspace,
  base: string,
  secretEnv: Record<string, string> | undefined,
  log: Pick<Logger, "info" | "warn">,
): TrustGate {
  return {
    secretEnv: secretEnv && Object.keys(secretEnv).length > 0 ? secretEnv : undefined,
    onBase: (fn, settling) => onTreeOf(git, base, fn, settling),
    async assess(testCommand, setupCommand) {
      const changed = await changedSince(git, base);
      const verdict = assessTrust({ changed, testCommand, setupCommand, baseScripts: await baseScripts(git, base) });
      log.info(
        { changed: changed.length, testMachinery: verdict.testMachinery, installMachinery: verdict.installMachinery },
        "trust boundary: changes from the base",
      );
      return verdict;
    },
    async isolated(fn) {
      const tree = await snapshotTree(git);
      try {
        return await fn();
      } finally {
        await restoreTree(git, tree);
      }
    },
  };
}

async function baseScripts(git: GitWorkspace, base: string): Promise<Record<string, string> | undefined> {
  const text = await fileAt(git, base, "package.json");
  if (text === undefined) return undefined;
  try {
    const scripts: unknown = (JSON.parse(text) as { scripts?: unknown }).scripts;
    if (!scripts || typeof scripts !== "object") return undefined;
    return Object.fromEntries(Object.entries(scripts).filter((e): e is [string, string] => typeof e[1] === "string"));
  } catch {
    return undefined;
  }
}

/** The sentence the report gives when the change touches manifests, lockfiles or install scripts. */
export function notInstalledNote(installMachinery: string[]): string | undefined {
  if (installMachinery.length === 0) return undefined;
  return (
    `Dependencies were installed from the base branch's manifests, lockfiles and install scripts; ` +
    `the change to ${pathList(installMachinery)} was not installed during this job (code the agent or a fork wrote never runs with the network).`
  );
}

/** The sentence the report gives about the opted-in secrets of the final test run. */
export function secretsNote(names: string[], given: boolean, testMachinery: string[] = []): string {
  const list = names.map((n) => `\`${n}\``).join(", ");
  return given
    ? `The final test run had the opted-in secrets (${list}); its output is not shown anywhere. The output shown is from the run without secrets just before it.`
    : `The final test run did not get the opted-in secrets (${list}): the change touches the test machinery (${pathList(testMachinery)}), which must be the base branch's for a run with secrets.`;
}

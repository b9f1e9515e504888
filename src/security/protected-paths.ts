// Paths the agent may not change: CI workflows (they run with the repository's
// secrets, so a workflow change is a way out of the sandbox) unless the repo
// allows it, and every `protected_paths` glob of .github/agent.yml. The file
// tools refuse such writes up front; the pipeline checks the final diff with
// findProtectedChanges, which also catches changes made through `shell`.
import picomatch from "picomatch";
import type { RepoConfig } from "../config/repo-config.ts";

const WORKFLOWS_DIR = ".github/workflows";
// The app's own config for this repository: a PR that loosened it (permissions,
// protected paths, budgets) would change what the next job may do.
const APP_CONFIG = ".github/agent.yml";

export type ProtectedPathMatcher = (relPath: string) => string | undefined;

/** Returns, for a repository-relative path, why it may not be changed (undefined when it may). */
export function protectedPathMatcher(
  config: Pick<RepoConfig, "allow_workflow_changes" | "protected_paths">,
): ProtectedPathMatcher {
  const globs = config.protected_paths.map((glob) => {
    // .gitignore/CODEOWNERS semantics, which maintainers already know: "vendor/"
    // means everything below it, and a pattern without a slash ("*.pem")
    // matches that name in any directory.
    const pattern = normalize(glob.endsWith("/") ? `${glob}**` : glob);
    // (picomatch's `basename` option only for such patterns: with a slash it would never match.)
    return { glob, isMatch: picomatch(pattern, { dot: true, basename: !pattern.includes("/") }) };
  });
  return (relPath) => {
    const rel = normalize(relPath);
    if (!config.allow_workflow_changes && (rel === WORKFLOWS_DIR || rel.startsWith(`${WORKFLOWS_DIR}/`))) {
      return "`.github/workflows/` may not be changed unless `allow_workflow_changes: true` is set in .github/agent.yml";
    }
    if (!config.allow_workflow_changes && rel === APP_CONFIG) {
      return "`.github/agent.yml` (issuesmith's own settings) may not be changed unless `allow_workflow_changes: true` is set in it";
    }
    for (const { glob, isMatch } of globs) {
      // A glob naming a directory ("docs", "config/*") protects what is below it too.
      if (selfAndAncestors(rel).some((p) => isMatch(p))) {
        return `\`${rel}\` matches \`${glob}\` in \`protected_paths\` of .github/agent.yml and may not be changed`;
      }
    }
    return undefined;
  };
}

/** The changes of a final diff that touch protected paths, with the reason for each. */
export function findProtectedChanges(
  changedPaths: string[],
  config: Pick<RepoConfig, "allow_workflow_changes" | "protected_paths">,
): Array<{ path: string; reason: string }> {
  const reasonFor = protectedPathMatcher(config);
  const out: Array<{ path: string; reason: string }> = [];
  for (const p of changedPaths) {
    const reason = reasonFor(p);
    if (reason !== undefined) out.push({ path: p, reason });
  }
  return out;
}

function normalize(p: string): string {
  let out = p.replace(/\\/g, "/").replace(/\/{2,}/g, "/");
  while (out.startsWith("./")) out = out.slice(2);
  if (out.startsWith("/")) out = out.slice(1);
  if (out.length > 1 && out.endsWith("/") && !out.endsWith("**/")) out = out.slice(0, -1);
  return out;
}

function selfAndAncestors(rel: string): string[] {
  const parts = rel.split("/");
  const out: string[] = [];
  for (let i = parts.length; i > 0; i--) out.push(parts.slice(0, i).join("/"));
  return out;
}

// Why GitHub refused a push, named for the person reading the progress
// comment (ARCHITECTURE.md §3): a missing permission, branch protection, a
// pre-receive hook, or someone else's commit on the branch. Read from git's
// own output ("! [remote rejected] … (reason)", "remote: …" lines).
import { UserError } from "../errors.ts";

export type PushRefusalKind =
  "workflows-permission" | "protected-branch" | "pre-receive-hook" | "not-fast-forward" | "no-permission";

export class PushRefused extends UserError {
  readonly refusal: PushRefusalKind;
  constructor(refusal: PushRefusalKind, reason: string) {
    super(`GitHub refused the push: ${reason}`);
    this.name = "PushRefused";
    this.refusal = refusal;
  }
}

/** What the remote said, without git's own framing; at most a few lines. */
function remoteLines(output: string): string {
  return output
    .split("\n")
    .filter((l) => /^remote:/.test(l.trim()))
    .map((l) =>
      l
        .trim()
        .replace(/^remote:\s*/, "")
        .replace(/^error:\s*/, ""),
    )
    .filter((l) => l && !/^-+$/.test(l))
    .slice(0, 4)
    .join(" ")
    .slice(0, 400);
}

/** A PushRefused when `output` (git's stderr) is a refusal it knows; undefined otherwise. */
export function pushRefusal(output: string): PushRefused | undefined {
  const workflow = /create or update workflow `([^`]+)` without `workflows` permission/.exec(output);
  if (workflow) {
    return new PushRefused(
      "workflows-permission",
      `the change touches \`${workflow[1]}\`, and the app's installation lacks the \`workflows\` permission GitHub requires for that (app.yml asks for it; an owner must accept it)`,
    );
  }
  if (/GH006|protected branch/i.test(output)) {
    return new PushRefused(
      "protected-branch",
      `branch protection refuses direct pushes to this branch${remoteLines(output) ? ` (${remoteLines(output)})` : ""}`,
    );
  }
  if (/\((fetch first|non-fast-forward|stale info)\)|\[rejected\]/.test(output)) {
    return new PushRefused(
      "not-fast-forward",
      "someone else pushed to the branch since the job started; issuesmith never overwrites their commits",
    );
  }
  if (/pre-receive hook declined|\[remote rejected\]/.test(output)) {
    const said = remoteLines(output);
    return new PushRefused("pre-receive-hook", `a server-side hook refused it${said ? `: ${said}` : ""}`);
  }
  if (/Permission to \S+ denied|The requested URL returned error: 403/.test(output)) {
    return new PushRefused(
      "no-permission",
      "the app's installation token may not push to this repository (it needs `contents: write`)",
    );
  }
  return undefined;
}

// GitHub's server-side rules for a push, enforced by a pre-receive hook in
// every served bare repository (git-http-backend hands the bridge's
// environment to the hook): workflow files need the `workflows` permission,
// protected branches refuse direct pushes, and a test may install a
// pre-receive refusal of its own. Messages are GitHub's.
import { chmod, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { RepoRecord } from "./state.ts";

const HOOK = `#!/bin/sh
# fake GitHub: the rules GitHub applies before accepting a push (see push-rules.ts)
zero=0000000000000000000000000000000000000000
status=0
while read -r old new ref; do
  if [ -n "$FAKE_GITHUB_PROTECTED" ] && printf '%s\\n' "$FAKE_GITHUB_PROTECTED" | grep -qxF "$ref"; then
    echo "error: GH006: Protected branch update failed for $ref." >&2
    echo "error: Changes must be made through a pull request." >&2
    status=1
    continue
  fi
  if [ -n "$FAKE_GITHUB_HOOK_MESSAGE" ]; then
    printf '%s\\n' "$FAKE_GITHUB_HOOK_MESSAGE" >&2
    status=1
    continue
  fi
  [ "$new" = "$zero" ] && continue
  if [ "$FAKE_GITHUB_WORKFLOWS" != "write" ]; then
    if [ "$old" = "$zero" ]; then commits=$(git rev-list "$new" --not --all); else commits=$(git rev-list "$old..$new"); fi
    workflow=$(for c in $commits; do git diff-tree --no-commit-id --name-only -r --root "$c"; done | grep '^\\.github/workflows/' | head -n 1)
    if [ -n "$workflow" ]; then
      echo "refusing to allow a GitHub App to create or update workflow \\\`$workflow\\\` without \\\`workflows\\\` permission" >&2
      status=1
    fi
  fi
done
exit $status
`;

export async function installPushRules(gitDir: string): Promise<void> {
  const path = join(gitDir, "hooks", "pre-receive");
  await writeFile(path, HOOK);
  await chmod(path, 0o755);
}

/** The hook's inputs for one push: the token's `workflows` level and the repository's rules. */
export function pushRuleEnv(repo: RepoRecord, permissions: Record<string, string>): NodeJS.ProcessEnv {
  return {
    FAKE_GITHUB_WORKFLOWS: permissions["workflows"] ?? "none",
    FAKE_GITHUB_PROTECTED: (repo.protectedBranches ?? []).map((b) => `refs/heads/${b}`).join("\n"),
    FAKE_GITHUB_HOOK_MESSAGE: repo.preReceiveRefusal ?? "",
  };
}

import { describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.ts";
import { gitFailure } from "../../src/workspace/git-env.ts";
import { pushRefusal } from "../../src/workspace/push-refusal.ts";

// git's stderr as GitHub makes it say these things
const WORKFLOW = `To https://github.com/acme/widgets\n ! [remote rejected] agent/ci -> agent/ci (refusing to allow a GitHub App to create or update workflow \`.github/workflows/ci.yml\` without \`workflows\` permission)\nerror: failed to push some refs to 'https://github.com/acme/widgets'`;
const PROTECTED = `remote: error: GH006: Protected branch update failed for refs/heads/main.\nremote: error: Changes must be made through a pull request.\nTo https://github.com/acme/widgets\n ! [remote rejected] main -> main (protected branch hook declined)`;
const HOOK = `remote: Pushes are frozen for the release\nTo https://github.example.com/acme/widgets\n ! [remote rejected] agent/x -> agent/x (pre-receive hook declined)\nerror: failed to push some refs`;
const NON_FF = `To https://github.com/acme/widgets\n ! [rejected]        agent/x -> agent/x (fetch first)\nerror: failed to push some refs\nhint: Updates were rejected because the remote contains work that you do not have locally.`;
const DENIED = `remote: Permission to acme/widgets.git denied to issuesmith[bot].\nfatal: unable to access 'https://github.com/acme/widgets/': The requested URL returned error: 403`;

describe("a refused push gets a named reason", () => {
  it.each([
    [WORKFLOW, "workflows-permission", /touches `\.github\/workflows\/ci\.yml`.*lacks the `workflows` permission/],
    [
      PROTECTED,
      "protected-branch",
      /branch protection refuses direct pushes to this branch \(GH006: Protected branch update failed for refs\/heads\/main\./,
    ],
    [HOOK, "pre-receive-hook", /a server-side hook refused it: Pushes are frozen for the release/],
    [NON_FF, "not-fast-forward", /someone else pushed to the branch since the job started/],
    [DENIED, "no-permission", /needs `contents: write`/],
  ])("%#: %s", (output, kind, message) => {
    const refused = pushRefusal(output);
    expect(refused?.refusal).toBe(kind);
    expect(refused?.message).toMatch(message);
    // the job reports it to the user as a UserError, not as "an internal error"
    const failure = gitFailure("push", new Error(output));
    expect(failure).toBeInstanceOf(UserError);
    expect(failure.message).toMatch(/^GitHub refused the push: /);
  });

  it("leaves other failures alone", () => {
    expect(pushRefusal("fatal: unable to access: Could not resolve host: github.com")).toBeUndefined();
    expect(gitFailure("push", new Error("fatal: Could not resolve host: github.com")).name).toBe("Transient");
  });
});

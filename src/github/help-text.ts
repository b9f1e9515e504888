// The reply to `/agent help` and to any verb we do not know.
import { MAX_ATTEMPTS, type RepoConfig } from "../config/repo-config.ts";
import { inlineCode } from "../shared/markdown.ts";
import { CONFIG_PATH } from "./repo-config-loader.ts";

export function helpText(config: RepoConfig, options: { unknownVerb?: string; configErrors?: string[] } = {}): string {
  const c = config.command;
  const b = config.budget;
  const lines: string[] = [];
  if (options.unknownVerb)
    lines.push(`I don't know \`${c} ${options.unknownVerb.replace(/`/g, "")}\`. Here is what I can do:`, "");
  lines.push(
    "### 🤖 issuesmith commands",
    "",
    `Write a command at the start of a line, in an issue comment, a pull request comment, a review or a review comment:`,
    "",
    `| command | what it does |`,
    `|---|---|`,
    `| \`${c} fix [what to do]\` | On an issue: solve it and open a pull request. On a pull request: change its branch as asked, together with the unresolved review comments (my own pull request is first brought up to date with its base, as \`${c} update\` does). \`${c}\` alone means \`fix\`. On an issue, \`--attempts <n>\` (1 to ${MAX_ATTEMPTS}) makes n independent attempts and the tests pick the pull request. |`,
    `| \`${c} update\` | On my pull request: merge its base branch into it (never a rebase or a force-push), conflicts resolved by the agent and checked by the tests, then push the one merge commit. Nothing is pushed when a conflict cannot be resolved; the reply shows the conflicts. |`,
    `| \`${c} plan [focus]\` | Reply with a plan (files, approach, risks, how it will be tested); change nothing. |`,
    `| \`${c} stop\` | Cancel the running job here; work already made is pushed as it stands. |`,
    `| \`${c} retry\` | Run the last job here again. |`,
    `| \`${c} help\` | This text. |`,
    "",
    `Adding the label \`${config.label}\` to an issue is the same as \`${c} fix\`.`,
    `Who may ask: people with \`${config.permission}\` permission or higher${config.allowed_users.length ? `, and ${config.allowed_users.map((u) => `\`${u}\``).join(", ")}` : ""}.`,
    "",
    `**Limits here** (set in \`${CONFIG_PATH}\`): ${b.steps} steps, ${b.tokens.toLocaleString("en-US")} tokens, $${b.cost_usd} per job, ${b.wall_clock_minutes} min wall clock, ${b.command_timeout_seconds} s per command, ${b.test_rounds} extra test round${b.test_rounds === 1 ? "" : "s"} after a failing run${config.attempts > 1 ? `; ${config.attempts} attempts per fix, sharing the tokens and cost` : ""}.`,
    `Test command: ${config.test ? `\`${config.test}\`` : "detected from the repository"}.`,
  );
  if (options.configErrors?.length) {
    lines.push(
      "",
      `⚠️ \`${CONFIG_PATH}\` has errors, so the defaults above apply until they are fixed:`,
      ...options.configErrors.map((e) => `- ${inlineCode(e)}`),
    );
  }
  return lines.join("\n");
}

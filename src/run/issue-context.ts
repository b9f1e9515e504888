// What the model is told about the task: the issue, the conversation (only
// from people allowed to trigger, unless the repo opts in), and the
// repository's own instructions for agents.
import type { RepoConfig } from "../config/repo-config.ts";
import type { UntrustedText } from "../agent/prompt.ts";
import { isBot } from "../github/bots.ts";
import type { Octokit, RepoRef } from "../github/octokit.ts";
import { authorize } from "../github/permissions.ts";
import { readRepoText } from "../security/repo-file.ts";

export const INSTRUCTION_FILES = ["AGENTS.md", "CLAUDE.md", ".github/copilot-instructions.md"];
const MAX_INSTRUCTIONS = 20_000;
const MAX_COMMENTS = 30;

export interface IssueText {
  title: string;
  body: string;
  htmlUrl: string;
  comments: UntrustedText[];
  /** Comments left out because their authors may not trigger the app. */
  omitted: number;
}

/**
 * Whose words reach the model: never bots (nor the app itself); only people
 * allowed to trigger, unless the repository opts in to everyone's.
 */
export function speakerFilter(
  octokit: Octokit,
  repo: RepoRef,
  config: RepoConfig,
  appSlug: string,
): (user: { login: string; type?: string } | null | undefined) => Promise<boolean> {
  const trusted = new Map<string, Promise<boolean>>();
  return async (user) => {
    if (!user || isBot(user, appSlug)) return false;
    if (config.include_untrusted_comments) return true;
    let t = trusted.get(user.login);
    if (!t) {
      t = authorize(octokit, repo, user.login, config).then((a) => a.allowed);
      trusted.set(user.login, t);
    }
    return t;
  };
}

export async function loadIssueText(
  octokit: Octokit,
  repo: RepoRef,
  number: number,
  config: RepoConfig,
  appSlug: string,
): Promise<IssueText> {
  const { data: issue } = await octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}", {
    ...repo,
    issue_number: number,
  });
  const all = await octokit.paginate("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", {
    ...repo,
    issue_number: number,
    per_page: 100,
  });
  const speaks = speakerFilter(octokit, repo, config, appSlug);
  const comments: UntrustedText[] = [];
  let omitted = 0;
  for (const c of all.slice(-MAX_COMMENTS)) {
    const user = c.user ? { login: c.user.login, type: c.user.type } : undefined;
    if (!user || isBot(user, appSlug)) continue;
    if (!(await speaks(user))) {
      omitted++;
      continue;
    }
    comments.push({ author: user.login, body: c.body ?? "", kind: "comment" });
  }
  return { title: issue.title, body: issue.body ?? "", htmlUrl: issue.html_url, comments, omitted };
}

/**
 * AGENTS.md, else CLAUDE.md, else .github/copilot-instructions.md, from the
 * checkout. Read on the host, so only a regular file inside the checkout
 * counts: a link to a host file (or /proc/self/environ) is as good as absent.
 */
export async function readRepoInstructions(repoDir: string): Promise<RepoInstructions | undefined> {
  for (const file of INSTRUCTION_FILES) {
    // Four bytes per character at most: enough to fill MAX_INSTRUCTIONS.
    const read = await readRepoText(repoDir, file, MAX_INSTRUCTIONS * 4, { head: true });
    if (!read?.text.trim()) continue;
    const { text, truncated } = read;
    return {
      file,
      text:
        truncated || text.length > MAX_INSTRUCTIONS ? `${text.slice(0, MAX_INSTRUCTIONS)}\n[... truncated ...]` : text,
    };
  }
  return undefined;
}

/**
 * The branch's instructions when they differ from the base's: a fork's (or
 * the agent's own earlier) AGENTS.md is untrusted data, fenced in the task,
 * never the system prompt (ARCHITECTURE.md §6).
 */
export function changedInstructions(
  base: RepoInstructions | undefined,
  branch: RepoInstructions | undefined,
): RepoInstructions | undefined {
  if (!branch || (base && base.file === branch.file && base.text === branch.text)) return undefined;
  return branch;
}

export interface RepoInstructions {
  file: string;
  text: string;
}

/** `agent/issue-12-fix-the-null-check` */
export function branchName(prefix: string, number: number, title: string): string {
  const slug = title
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
  return `${prefix}issue-${number}${slug ? `-${slug}` : ""}`;
}

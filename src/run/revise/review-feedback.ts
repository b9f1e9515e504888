// The review feedback a revision answers: unresolved inline threads (file,
// line, diff hunk, text) and requested-changes review bodies, from people
// whose words may reach the model — fenced as data.
import { fenceUntrusted } from "../../agent/prompt.ts";
import type { Octokit, RepoRef } from "../../github/octokit.ts";
import { unresolvedThreads, type ReviewThread } from "../../github/review-threads.ts";
import type { ThreadNote } from "../../tools/define.ts";

export interface ReviewFeedback {
  threads: ReviewThread[];
  reviews: Array<{ author: string; body: string }>;
}

export async function loadReviewFeedback(
  octokit: Octokit,
  repo: RepoRef,
  number: number,
  speaks: (user: { login: string; type?: string } | null | undefined) => Promise<boolean>,
): Promise<ReviewFeedback> {
  const threads: ReviewThread[] = [];
  for (const t of await unresolvedThreads(octokit, repo, number)) {
    const kept = [];
    for (const c of t.comments) if (await speaks({ login: c.author })) kept.push(c);
    if (kept.length > 0) threads.push({ ...t, comments: kept });
  }
  const all = await octokit.paginate("GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews", {
    ...repo,
    pull_number: number,
    per_page: 100,
  });
  // The latest requested-changes review per reviewer still stands.
  const latest = new Map<string, { author: string; body: string }>();
  for (const r of all) {
    const user = r.user ? { login: r.user.login, type: r.user.type } : undefined;
    if (!user || !(await speaks(user))) continue;
    if (r.state === "CHANGES_REQUESTED" && r.body?.trim()) latest.set(user.login, { author: user.login, body: r.body });
    if (r.state === "APPROVED") latest.delete(user.login);
  }
  return { threads, reviews: [...latest.values()] };
}

export function feedbackSection(feedback: ReviewFeedback): string {
  if (feedback.threads.length === 0 && feedback.reviews.length === 0) return "";
  const parts = ["## Review feedback to address"];
  for (const r of feedback.reviews) parts.push(fenceUntrusted(`review by @${r.author} (changes requested)`, r.body));
  feedback.threads.forEach((t, i) => {
    const where = `${t.path}${t.line ? `:${t.line}` : ""}${t.outdated ? " (outdated: the code moved since)" : ""}`;
    const conversation = t.comments.map((c) => `@${c.author}: ${c.body}`).join("\n\n");
    parts.push(
      `### Thread ${threadId(i)} on \`${where}\`\n\`\`\`diff\n${t.diffHunk.split("\n").slice(-12).join("\n")}\n\`\`\`\n${fenceUntrusted(`review thread on ${where}`, conversation)}`,
    );
  });
  parts.push(
    feedback.threads.length > 0
      ? `Address every thread above. When you call \`finish\`, give \`threads\`: one entry for each of ${feedback.threads.map((_, i) => threadId(i)).join(", ")}, saying whether you changed code for it and, for the reviewer, what you did or why you changed nothing. Do not revert unrelated work on this branch.`
      : "Address the review above. Do not revert unrelated work on this branch.",
  );
  return parts.join("\n\n");
}

/** The id a thread is shown to the model under (T1, T2, …), in the order loadReviewFeedback gives them. */
export function threadId(index: number): string {
  return `T${index + 1}`;
}

export interface ThreadAnswer {
  thread: ReviewThread;
  /** The reply's text (Markdown), before redaction. */
  reply: string;
  /** Code was changed for it: the thread may be resolved (with resolve_threads). */
  changedCode: boolean;
}

/**
 * One answer for every thread the revision was asked to handle: the model's
 * own word where it gave one (by thread id), else what the commit shows. A
 * thread with no change and no reason says so plainly rather than staying silent.
 */
export function threadAnswers(
  threads: ReviewThread[],
  notes: readonly ThreadNote[] | undefined,
  changedPaths: ReadonlySet<string>,
  commit: { short: string; url: string } | undefined,
  summaryLine: string | undefined,
): ThreadAnswer[] {
  const byId = new Map((notes ?? []).map((n) => [n.thread.trim().toUpperCase(), n]));
  return threads.map((thread, i) => {
    const note = byId.get(threadId(i));
    const changedCode = commit !== undefined && (note ? note.changed : changedPaths.has(thread.path));
    const link = commit ? `[\`${commit.short}\`](${commit.url})` : undefined;
    let reply: string;
    if (note && changedCode) reply = `Addressed in ${link}: ${note.reply}`;
    else if (note) reply = link ? `${note.reply}\n\n(No change for this thread in ${link}.)` : note.reply;
    else if (changedCode) reply = `Addressed in ${link}${summaryLine ? `: ${summaryLine}` : "."}`;
    else
      reply = `${link ? `The revision ${link}` : "This revision"} made no change for this thread, and the agent gave no reason. Reply with \`/agent fix\` and more detail if it still needs work.`;
    return { thread, reply, changedCode };
  });
}

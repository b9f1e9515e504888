// The review feedback a revision answers: unresolved inline threads (file,
// line, diff hunk, text) and requested-changes review bodies, from people
// whose words may reach the model — fenced as data.
import { fenceUntrusted } from "../agent/prompt.ts";
import type { Octokit, RepoRef } from "../github/octokit.ts";
import { unresolvedThreads, type ReviewThread } from "../github/review-threads.ts";

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
  const all = await octokit.paginate("GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews", { ...repo, pull_number: number, per_page: 100 });
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
    parts.push(`### Thread ${i + 1} on \`${where}\`\n\`\`\`diff\n${t.diffHunk.split("\n").slice(-12).join("\n")}\n\`\`\`\n${fenceUntrusted(`review thread on ${where}`, conversation)}`);
  });
  parts.push("Address every thread above (or explain in your summary why not). Make follow-up changes; do not revert unrelated work on this branch.");
  return parts.join("\n\n");
}

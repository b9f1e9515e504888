// Find-or-create for the app's pull requests: a retried or resumed job finds
// the PR it already made (by head branch) instead of opening a second one.
import { answerLost, createOnce, NO_BLIND_RETRY } from "./create-once.ts";
import { statusOf, type Octokit, type RepoRef } from "./octokit.ts";

export interface PullRef {
  number: number;
  url: string;
  nodeId: string;
  draft: boolean;
  created: boolean;
}

export async function findOpenPull(
  octokit: Octokit,
  repo: RepoRef,
  branch: string,
): Promise<Omit<PullRef, "created"> | undefined> {
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/pulls", {
    ...repo,
    head: `${repo.owner}:${branch}`,
    state: "open",
    per_page: 5,
  });
  const pr = data[0];
  return pr ? { number: pr.number, url: pr.html_url, nodeId: pr.node_id, draft: pr.draft ?? false } : undefined;
}

export async function openOrUpdatePull(
  octokit: Octokit,
  repo: RepoRef,
  pr: { branch: string; base: string; title: string; body: string; draft: boolean; labels: string[] },
): Promise<PullRef> {
  // A PR found after our own create lost its answer is ours, made just now: it keeps created = true.
  let tried = false;
  const ref: PullRef = await createOnce(
    "pull request",
    async () => {
      const found = await findOpenPull(octokit, repo, pr.branch);
      return found ? { ...found, created: tried } : undefined;
    },
    async () => {
      tried = true;
      const { data } = await octokit.request("POST /repos/{owner}/{repo}/pulls", {
        ...repo,
        head: pr.branch,
        base: pr.base,
        title: pr.title,
        body: pr.body,
        draft: pr.draft,
        maintainer_can_modify: true,
        ...NO_BLIND_RETRY,
      });
      return {
        number: data.number,
        url: data.html_url,
        nodeId: data.node_id,
        draft: data.draft ?? pr.draft,
        created: true,
      };
    },
    // "A pull request already exists for …": made by an earlier try whose answer was lost
    {
      lost: (err) =>
        answerLost(err) || (statusOf(err) === 422 && /already exists/i.test(String((err as Error).message))),
    },
  );
  if (!ref.created) {
    await octokit.request("PATCH /repos/{owner}/{repo}/pulls/{pull_number}", {
      ...repo,
      pull_number: ref.number,
      title: pr.title,
      body: pr.body,
    });
  }
  if (pr.labels.length > 0) {
    await octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/labels", {
      ...repo,
      issue_number: ref.number,
      labels: pr.labels,
    });
  }
  return ref;
}

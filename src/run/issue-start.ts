// How a job on an issue starts (fix and plan alike): the repository and the
// issue's text, the task recorded in the trajectory, the default branch cloned.
import type { RepoConfig } from "../config/repo-config.ts";
import { loadIssueText } from "./issue-context.ts";
import type { JobScope } from "./job-scope.ts";
import type { WorkspaceMaker } from "./workspace-maker.ts";

export async function startOnIssue(scope: JobScope, config: RepoConfig, workspaces: WorkspaceMaker) {
  const { octokit, repo, reporter, job } = scope;
  const { data: repoData } = await octokit.request("GET /repos/{owner}/{repo}", repo);
  const issue = await loadIssueText(octokit, repo, job.target.number, config, scope.identity.slug);
  await reporter.record({
    type: "task",
    source: `${repo.owner}/${repo.repo}#${job.target.number}`,
    title: issue.title,
    body: issue.body,
  });
  // Another clone of the same repository, for a job that runs several attempts side by side.
  const cloneAgain = (as: JobScope = scope) =>
    workspaces.clone(as, repoData.clone_url, repoData.default_branch, repoData.id);
  const clone = await cloneAgain();
  return { defaultBranch: repoData.default_branch, issue, clone, cloneAgain };
}

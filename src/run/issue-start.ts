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
  const clone = await workspaces.clone(scope, repoData.clone_url, repoData.default_branch, repoData.id);
  return { defaultBranch: repoData.default_branch, issue, clone };
}

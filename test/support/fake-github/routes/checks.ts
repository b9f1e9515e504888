// Check runs: create, update, get, list for a ref. Only GitHub Apps reach
// them (installation tokens; `checks` read or write, permissions.ts); a run is
// changed only by the app that made it, on a commit the repository has.
import { resolveCommit } from "../git-repo.ts";
import { refreshPullHead } from "../pull-git.ts";
import { repoApiUrl, type Json } from "../shapes/common.ts";
import { checkRunShape } from "../shapes/pulls.ts";
import { nodeId, type CheckRunRecord, type RepoRecord } from "../state.ts";
import type { RouteEnv, RouteTable } from "./types.ts";
import { body, forbidden, intParam, json, notFound, paginate, repoOf, unprocessable } from "./types.ts";

interface CheckInput {
  name?: string;
  head_sha?: string;
  status?: CheckRunRecord["status"];
  conclusion?: NonNullable<CheckRunRecord["conclusion"]>;
  started_at?: string;
  completed_at?: string;
  details_url?: string;
  external_id?: string;
  output?: { title?: string; summary?: string; text?: string; annotations?: unknown[] };
}

function apply(run: CheckRunRecord, input: CheckInput): void {
  if (input.name !== undefined) run.name = input.name;
  if (input.details_url !== undefined) run.detailsUrl = input.details_url;
  if (input.external_id !== undefined) run.externalId = input.external_id;
  if (input.started_at !== undefined) run.startedAt = input.started_at;
  if (input.status !== undefined) run.status = input.status;
  // a conclusion completes the run, as on GitHub
  if (input.conclusion !== undefined) {
    run.conclusion = input.conclusion;
    run.status = "completed";
  }
  if (run.status === "completed")
    run.completedAt = input.completed_at ?? run.completedAt ?? new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  if (input.output) {
    run.output = {
      title: input.output.title ?? run.output.title,
      summary: input.output.summary ?? run.output.summary,
      text: input.output.text ?? run.output.text,
      annotationsCount: run.output.annotationsCount + (input.output.annotations?.length ?? 0),
    };
  }
}

/** pull-request-minimal entries of the open PRs whose head is `sha`. */
async function pullsAt(env: RouteEnv, repo: RepoRecord, sha: string): Promise<Json[]> {
  const out: Json[] = [];
  for (const pull of env.ctx.state.pulls) {
    if (pull.repo !== repo.fullName || env.ctx.state.issue(pull.repo, pull.number)?.state !== "open") continue;
    const head = await refreshPullHead(env.ctx.state, pull);
    if (head !== sha) continue;
    const base = (await resolveCommit(repo.gitDir, `refs/heads/${pull.baseRef}`)) ?? sha;
    const headRepo = env.ctx.state.repo(pull.headRepo) ?? repo;
    out.push({
      id: pull.id,
      number: pull.number,
      url: `${repoApiUrl(env.ctx, repo)}/pulls/${pull.number}`,
      head: {
        ref: pull.headRef,
        sha: head,
        repo: { id: headRepo.id, url: repoApiUrl(env.ctx, headRepo), name: headRepo.name },
      },
      base: { ref: pull.baseRef, sha: base, repo: { id: repo.id, url: repoApiUrl(env.ctx, repo), name: repo.name } },
    });
  }
  return out;
}

/** GitHub: "conclusion" is required when the status is completed or completed_at is given. */
function conclusionMissing() {
  return unprocessable([
    {
      resource: "CheckRun",
      code: "missing_field",
      field: "conclusion",
      message: "conclusion is required when status is completed or completed_at is given",
    },
  ]);
}

export const checkRoutes: RouteTable = {
  "checks/create": {
    auth: "installation",
    handle: async (req, env) => {
      const repo = repoOf(req);
      const input = body<CheckInput & { name: string; head_sha: string }>(req);
      if ((input.status === "completed" || input.completed_at !== undefined) && input.conclusion === undefined)
        return conclusionMissing();
      if (!(await resolveCommit(repo.gitDir, input.head_sha))) {
        return unprocessable([
          {
            resource: "CheckRun",
            code: "invalid",
            field: "head_sha",
            message: "No commit found for SHA: " + input.head_sha,
          },
        ]);
      }
      const id = env.ctx.state.id();
      const run: CheckRunRecord = {
        id,
        nodeId: nodeId("CR", id),
        repo: repo.fullName,
        headSha: input.head_sha,
        name: input.name,
        status: "queued",
        conclusion: null,
        startedAt: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
        completedAt: null,
        externalId: null,
        detailsUrl: null,
        output: { title: null, summary: null, text: null, annotationsCount: 0 },
        appId: env.ctx.app.id,
      };
      apply(run, input);
      env.ctx.state.checkRuns.push(run);
      return json(201, checkRunShape(env.ctx, repo, run, await pullsAt(env, repo, run.headSha)));
    },
  },

  "checks/update": {
    auth: "installation",
    handle: async (req, env) => {
      const repo = repoOf(req);
      const run = env.ctx.state.checkRuns.find(
        (r) => r.repo === repo.fullName && r.id === intParam(req, "check_run_id"),
      );
      if (!run) return notFound();
      // only the app that made a run may change it (GitHub's words)
      if (run.appId !== env.ctx.app.id)
        return forbidden(
          `Invalid app_id \`${env.ctx.app.id}\` - check run can only be modified by the GitHub App that created it.`,
        );
      const input = body<CheckInput>(req);
      if (
        (input.status === "completed" || input.completed_at !== undefined) &&
        input.conclusion === undefined &&
        run.conclusion === null
      )
        return conclusionMissing();
      apply(run, input);
      return json(200, checkRunShape(env.ctx, repo, run, await pullsAt(env, repo, run.headSha)));
    },
  },

  "checks/get": {
    auth: "installation",
    handle: async (req, env) => {
      const repo = repoOf(req);
      const run = env.ctx.state.checkRuns.find(
        (r) => r.repo === repo.fullName && r.id === intParam(req, "check_run_id"),
      );
      return run ? json(200, checkRunShape(env.ctx, repo, run, await pullsAt(env, repo, run.headSha))) : notFound();
    },
  },

  "checks/list-for-ref": {
    auth: "installation",
    handle: async (req, env) => {
      const repo = repoOf(req);
      const sha = await resolveCommit(repo.gitDir, req.params["ref"] ?? "");
      if (!sha) return notFound(`No commit found for SHA: ${req.params["ref"] ?? ""}`);
      const name = req.query.get("check_name");
      const status = req.query.get("status");
      const appId = req.query.get("app_id");
      let runs = env.ctx.state.checkRuns.filter(
        (r) =>
          r.repo === repo.fullName &&
          r.headSha === sha &&
          (!name || r.name === name) &&
          (!status || r.status === status) &&
          (!appId || r.appId === Number(appId)),
      );
      // filter=latest (the default) keeps the newest run of each name
      if ((req.query.get("filter") ?? "latest") === "latest")
        runs = runs.filter((r) => !runs.some((o) => o.name === r.name && o.id > r.id));
      const pulls = await pullsAt(env, repo, sha);
      const page = await paginate(
        req,
        [...runs].reverse(),
        `${repoApiUrl(env.ctx, repo)}/commits/${sha}/check-runs`,
        (r) => checkRunShape(env.ctx, repo, r, pulls),
      );
      return { ...page, body: { total_count: runs.length, check_runs: page.body } };
    },
  },
};

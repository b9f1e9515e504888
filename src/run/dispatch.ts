// One JobHandler for the queue: each kind of job to its pipeline.
import type { JobHandler } from "../shared/job.ts";
import type { JobDeps } from "./deps.ts";
import { runFixJob } from "./fix/fix-job.ts";
import { runPlanJob } from "./plan/plan-job.ts";
import { runReplyJob } from "./reply/reply-job.ts";
import { runReviseJob } from "./revise/revise-job.ts";
import { runUpdateJob } from "./update/update-job.ts";

export function createJobHandler(deps: JobDeps): JobHandler {
  return async (job, run) => {
    switch (job.kind) {
      case "reply":
        return runReplyJob(job, deps);
      case "fix":
        return job.target.isPullRequest ? runReviseJob(job, run, deps) : runFixJob(job, run, deps);
      case "revise":
        return runReviseJob(job, run, deps);
      case "plan":
        return runPlanJob(job, run, deps);
      case "update":
        return runUpdateJob(job, run, deps);
    }
  };
}

// A job's check runs against the strict fake GitHub: the runs a job leaves
// behind are completed, whichever attempt made them.
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_REPO_CONFIG } from "../../src/config/repo-config.ts";
import { CHECK_NAME } from "../../src/github/check-runs.ts";
import type { Octokit } from "../../src/github/octokit.ts";
import { JobChecks } from "../../src/run/job-checks.ts";
import { Redactor } from "../../src/security/redact.ts";
import type { TestRun } from "../../src/shared/evidence.ts";
import { createFakeGitHub, type FakeGitHub } from "../support/fake-github.ts";
import { installationOctokit } from "../support/github-client.ts";
import { appKeys } from "../support/keys.ts";

const owner = "acme";
const repo = "widgets";
const passing: TestRun = {
  command: "npm test",
  passed: true,
  exitCode: 0,
  killed: undefined,
  summary: "",
  outputTail: "ok 1\n",
  durationMs: 5,
};

describe("a job's check runs", () => {
  let fake: FakeGitHub;
  let octokit: Octokit;
  let pull: number;
  let head: string;

  beforeAll(async () => {
    const keys = await appKeys();
    fake = await createFakeGitHub({ appId: 77, publicKey: keys.publicKey });
    await fake.addRepo({ owner, name: repo, files: { "src/a.js": "1\n" } });
    head = await fake.commit({ owner, repo, branch: "agent/issue-1-a", files: { "src/a.js": "2\n" } });
    pull = (await fake.addPullRequest({ owner, repo, title: "A", user: fake.botLogin, head: "agent/issue-1-a" }))
      .number;
    octokit = installationOctokit(fake, keys.privateKey) as unknown as Octokit;
  });

  afterAll(() => fake.close());

  const checks = (jobId: string, followsPull = true) =>
    new JobChecks({
      octokit,
      repo: { owner, repo },
      jobId,
      number: pull,
      followsPull,
      link: undefined,
      redactor: new Redactor([]),
      log: pino({ level: "silent" }),
    });
  const runsOf = (jobId: string) => fake.state.checkRuns.filter((r) => r.externalId === jobId);

  it("completes the run an earlier attempt left in progress on the head, when this attempt started none", async () => {
    fake.addCheckRun({ owner, repo, sha: head, name: CHECK_NAME, appId: fake.appId, externalId: "job-crashed" });
    await checks("job-crashed").complete(
      { status: "interrupted", summary: "its worker died 3 times" },
      "Stopped: this job crashed its worker 3 times",
    );
    expect(runsOf("job-crashed")).toMatchObject([
      {
        status: "completed",
        conclusion: "failure",
        output: { title: "Stopped: this job crashed its worker 3 times" },
      },
    ]);
    expect(fake.errors).toEqual([]);
  });

  it("leaves alone what a job that does not work on the pull request (a plan) never made", async () => {
    fake.addCheckRun({ owner, repo, sha: head, name: CHECK_NAME, appId: fake.appId, externalId: "job-other" });
    const before = fake.requests.length;
    await checks("job-plan", false).complete({ status: "plan_posted", summary: "plan posted" }, "Posted a plan");
    expect(fake.requests.length).toBe(before);
    expect(runsOf("job-other")[0]).toMatchObject({ status: "in_progress" });
  });

  it("supersedes its run on the old head when it pushes, and gives the new commit the result", async () => {
    const job = checks("job-revise");
    await job.start(head);
    const next = await fake.commit({ owner, repo, branch: "agent/issue-1-a", files: { "src/a.js": "3\n" } });
    await job.start(next);
    expect(runsOf("job-revise").map((r) => [r.headSha, r.status, r.conclusion])).toEqual([
      [head, "completed", "neutral"],
      [next, "in_progress", null],
    ]);
    job.evidence({ summary: "Done.", tests: passing, testCommand: "npm test" }, DEFAULT_REPO_CONFIG);
    await job.complete({ status: "pr_updated", summary: "pushed" }, "Pushed to #1 — tests pass");
    expect(runsOf("job-revise")[1]).toMatchObject({
      status: "completed",
      conclusion: "success",
      output: { title: "Pushed to #1 — tests pass" },
    });
    expect(runsOf("job-revise")[1]!.output.summary).toContain("Done.");
    expect(fake.errors).toEqual([]);
  });
});

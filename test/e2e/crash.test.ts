// A worker killed with SIGKILL mid-job, then started again: the job resumes
// from its checkpoint and ends with exactly one pull request.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MODEL_API_KEY, OWNER, REPO, MAINTAINER, WEBHOOK_SECRET } from "../support/app.ts";
import { startAppProcess, type AppProcess } from "../support/app-process.ts";
import { createModelServer, type Turn } from "../support/model-server.ts";
import { SqliteQueue } from "../../src/jobs/sqlite/queue.ts";
import { fakeTarget, issuesEvent, pullRequestReviewEvent, sendWebhook } from "../support/webhooks.ts";
import { FIX_TURNS } from "./fixtures.ts";
import { appEnv, until, world } from "./process-world.ts";

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
});

describe("crash recovery", () => {
  it("resumes a job after kill -9 of the worker and ends with exactly one PR", async () => {
    const w = await world(cleanup);
    let release!: () => void;
    const hold = new Promise<void>((r) => (release = r));
    cleanup.push(async () => release());
    // Edit, then hang: the first process is killed while it waits for the model.
    const model = await createModelServer({
      apiKey: MODEL_API_KEY,
      turns: [FIX_TURNS[2]!, { pause: hold }, FIX_TURNS[4]!],
    });
    cleanup.push(() => model.close());
    const env = appEnv(w, model);

    const first: AppProcess = await startAppProcess({ env, cwd: w.root });
    cleanup.push(() => first.kill("SIGKILL"));
    const issue = w.fake.addIssue({
      owner: OWNER,
      repo: REPO,
      title: "sum() returns the wrong result",
      body: "sum(2, 3) gives -1.",
      user: "reporter",
    });
    const res = await sendWebhook(
      `${first.url}/api/github/webhooks`,
      issuesEvent("labeled", fakeTarget(w.fake, OWNER, REPO, MAINTAINER), {
        issue: { number: issue.number, title: issue.title },
        label: "agent",
      }),
      { secret: WEBHOOK_SECRET },
    );
    expect(res.status).toBe(200);
    // The edit is checkpointed to the job's wip branch, and the model is asked again.
    await until("the checkpoint push", () => w.fake.pushes.some((p) => p.ref.includes("/wip/")));
    await until(
      "the second model call",
      () => model.requests.filter((r) => r.path.endsWith("/chat/completions")).length >= 2,
    );
    const killed = await first.kill("SIGKILL");
    expect(killed.signal).toBe("SIGKILL");
    release();

    const second = await startAppProcess({ env, cwd: w.root });
    cleanup.push(() => second.kill("SIGKILL"));
    await until("the pull request", () => w.fake.state.pulls.length > 0, 90_000).catch((e: unknown) => {
      throw new Error(`${String(e)}\n${second.output.slice(-40).join("\n")}`);
    });
    await until(
      "the final report",
      () => w.fake.state.issueComments.some((c) => c.user === w.fake.botLogin && c.body.includes("tests pass")),
      30_000,
    );

    expect(w.fake.state.pulls).toHaveLength(1);
    const pr = w.fake.state.pulls[0]!;
    expect(await w.fake.readFile(OWNER, REPO, pr.headRef, "src/sum.js")).toContain("return a + b;");
    const comments = w.fake.state.issueComments.filter((c) => c.user === w.fake.botLogin);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toMatch(/resumed/i);
    // The resumed model call carried the conversation so far: the edit it had made.
    const resumed = model.requests.filter((r) => r.path.endsWith("/chat/completions")).at(-1);
    expect(JSON.stringify(resumed?.body)).toContain("return a + b;");
    // The checkpoint branch is gone once the work is published.
    await until(
      "the checkpoint branch to be deleted",
      async () => (await w.fake.git(OWNER, REPO, ["branch", "--list", "*wip*"])) === "",
      10_000,
    );
    await second.kill("SIGTERM");
  }, 180_000);
});

describe("crash recovery of a revision", () => {
  it("resumes a review's revision after kill -9 and pushes exactly one follow-up commit", async () => {
    const w = await world(cleanup);
    let release!: () => void;
    const hold = new Promise<void>((r) => (release = r));
    cleanup.push(async () => release());
    const revise = [
      {
        toolCalls: [
          {
            name: "edit",
            arguments: {
              path: "src/sum.js",
              old_str: "export function sum(a, b) {",
              new_str: "/** Returns a + b. */\nexport function sum(a, b) {",
            },
          },
        ],
      },
      { pause: hold },
      { toolCalls: [{ name: "finish", arguments: { summary: "Documented what sum returns." } }] },
    ];
    const model = await createModelServer({ apiKey: MODEL_API_KEY, turns: [FIX_TURNS[2]!, FIX_TURNS[4]!, ...revise] });
    cleanup.push(() => model.close());
    const env = appEnv(w, model);
    const completions = () => model.requests.filter((r) => r.path.endsWith("/chat/completions"));

    const first: AppProcess = await startAppProcess({ env, cwd: w.root });
    cleanup.push(() => first.kill("SIGKILL"));
    const target = fakeTarget(w.fake, OWNER, REPO, MAINTAINER);
    const issue = w.fake.addIssue({
      owner: OWNER,
      repo: REPO,
      title: "sum() returns the wrong result",
      body: "sum(2, 3) gives -1.",
      user: "reporter",
    });
    await sendWebhook(
      `${first.url}/api/github/webhooks`,
      issuesEvent("labeled", target, { issue: { number: issue.number, title: issue.title }, label: "agent" }),
      { secret: WEBHOOK_SECRET },
    );
    const pr = await until("the pull request", () => w.fake.state.pulls[0], 60_000);
    const firstHead = await w.fake.branchSha(OWNER, REPO, pr.headRef);

    const review = await w.fake.addReview({
      owner: OWNER,
      repo: REPO,
      pullNumber: pr.number,
      user: MAINTAINER,
      state: "CHANGES_REQUESTED",
      body: "One thing.",
      comments: [{ path: "src/sum.js", line: 1, body: "Please document what sum returns." }],
    });
    const pullJson = await w.fake.pullJson(OWNER, REPO, pr.number);
    const wipPushes = w.fake.pushes.filter((p) => p.ref.includes("/wip/")).length;
    const res = await sendWebhook(
      `${first.url}/api/github/webhooks`,
      pullRequestReviewEvent("submitted", target, {
        pullRequest: { number: pr.number, json: pullJson },
        review: { state: "CHANGES_REQUESTED", json: w.fake.reviewJson(OWNER, REPO, review.id) },
      }),
      { secret: WEBHOOK_SECRET },
    );
    expect(res.status).toBe(200);
    // The revision's edit is checkpointed to its own wip branch; then the model hangs.
    await until(
      "the revision's checkpoint push",
      () => w.fake.pushes.filter((p) => p.ref.includes("/wip/")).length > wipPushes,
    );
    await until("the paused model call", () => completions().length >= 4);
    await first.kill("SIGKILL");
    release();

    const second = await startAppProcess({ env, cwd: w.root });
    cleanup.push(() => second.kill("SIGKILL"));
    await until(
      "the reply in the review thread",
      () => w.fake.state.reviewComments.some((c) => c.user === w.fake.botLogin),
      90_000,
    ).catch((e: unknown) => {
      throw new Error(`${String(e)}\n${second.output.slice(-40).join("\n")}`);
    });

    // One follow-up commit on the PR's branch, never a force-push, holding the edit made before the kill.
    const log = await w.fake.git(OWNER, REPO, ["log", "--format=%H", `${firstHead}..${pr.headRef}`]);
    expect(log.trim().split("\n")).toHaveLength(1);
    expect(w.fake.pushes.filter((p) => p.ref === `refs/heads/${pr.headRef}`).every((p) => !p.forced)).toBe(true);
    expect(await w.fake.readFile(OWNER, REPO, pr.headRef, "src/sum.js")).toContain("/** Returns a + b. */");
    // The resumed call carried the conversation so far, and the model was not asked to start again.
    expect(completions()).toHaveLength(5);
    expect(JSON.stringify(completions().at(-1)?.body)).toContain("Returns a + b.");
    const progress = w.fake.state.issueComments.filter(
      (c) => c.user === w.fake.botLogin && c.issueNumber === pr.number,
    );
    expect(progress).toHaveLength(1);
    expect(progress[0]!.body).toMatch(/resumed/i);
    await until(
      "the checkpoint branches to be deleted",
      async () => (await w.fake.git(OWNER, REPO, ["branch", "--list", "*wip*"])) === "",
      10_000,
    );
    await second.kill("SIGTERM");
  }, 240_000);
});

describe("a job that crashes its worker every time", () => {
  it("is resumed at most AGENT_MAX_RESUMES times, then ends interrupted with a report and its work kept on the wip branch", async () => {
    const w = await world(cleanup);
    const holds: Array<() => void> = [];
    cleanup.push(async () => holds.forEach((release) => release()));
    let current: AppProcess | undefined;
    // Every model call after the first edit takes its worker down, as a job that runs it out of memory would.
    const crash: Turn = () => {
      void current?.kill("SIGKILL");
      return { pause: new Promise<void>((release) => holds.push(release)) };
    };
    const model = await createModelServer({ apiKey: MODEL_API_KEY, turns: [FIX_TURNS[2]!, crash, crash, crash] });
    cleanup.push(() => model.close());
    const env = { ...appEnv(w, model), AGENT_MAX_RESUMES: "2" };
    const completions = () => model.requests.filter((r) => r.path.endsWith("/chat/completions"));

    const start = async () => {
      const proc = await startAppProcess({ env, cwd: w.root });
      cleanup.push(() => proc.kill("SIGKILL"));
      current = proc;
      return proc;
    };
    let proc = await start();
    const issue = w.fake.addIssue({
      owner: OWNER,
      repo: REPO,
      title: "sum() returns the wrong result",
      body: "sum(2, 3) gives -1.",
      user: "reporter",
    });
    await sendWebhook(
      `${proc.url}/api/github/webhooks`,
      issuesEvent("labeled", fakeTarget(w.fake, OWNER, REPO, MAINTAINER), {
        issue: { number: issue.number, title: issue.title },
        label: "agent",
      }),
      { secret: WEBHOOK_SECRET },
    );
    // The first worker and two resumed ones die; the fourth start is past the cap of 2 resumes.
    for (let died = 1; died <= 3; died++) {
      const exit = await proc.exited;
      expect(exit.signal).toBe("SIGKILL");
      expect(completions()).toHaveLength(died + 1);
      proc = await start();
    }
    const report = await until(
      "the interrupted report",
      () =>
        w.fake.state.issueComments.find(
          (c) => c.user === w.fake.botLogin && c.issueNumber === issue.number && c.body.includes("crashed its worker"),
        ),
      60_000,
    ).catch((e: unknown) => {
      throw new Error(`${String(e)}\n${proc.output.slice(-40).join("\n")}`);
    });

    const wip = (await w.fake.git(OWNER, REPO, ["branch", "--list", "*wip*"])).replace("*", "").trim();
    expect(wip).toMatch(/^agent\/wip\//);
    expect(report.body).toContain("Stopped: this job crashed its worker 3 times");
    expect(report.body).toContain(`\`${wip}\``);
    expect(report.body).toContain("AGENT_MAX_RESUMES");
    expect(report.body).not.toMatch(/⏳|Working/);
    // The edit made before the first crash is on the wip branch; nothing was published, nothing asked of the model again.
    expect(await w.fake.readFile(OWNER, REPO, wip, "src/sum.js")).toContain("return a + b;");
    expect(w.fake.state.pulls).toHaveLength(0);
    expect(completions()).toHaveLength(4);
    expect(
      w.fake.state.issueComments.filter((c) => c.user === w.fake.botLogin && c.issueNumber === issue.number),
    ).toHaveLength(1);

    await proc.kill("SIGTERM");
    const queue = new SqliteQueue(SqliteQueue.fileIn(path.join(w.root, "data")));
    cleanup.push(() => queue.close());
    const [job] = await queue.list({ limit: 10 });
    expect(job).toMatchObject({ state: "interrupted", crashResumes: 3, outcome: { status: "interrupted" } });
    expect(job?.outcome?.summary).toContain(wip);
  }, 300_000);
});

describe("start-up failures are clear", () => {
  it("exits non-zero with one clear message on a corrupt job store, serving nothing", async () => {
    const w = await world(cleanup);
    const model = await createModelServer({ apiKey: MODEL_API_KEY });
    cleanup.push(() => model.close());
    const env = appEnv(w, model);
    await import("node:fs/promises").then((fs) => fs.mkdir(env.AGENT_DATA_DIR!, { recursive: true }));
    await writeFile(path.join(env.AGENT_DATA_DIR!, "jobs.db"), "this is not a database".repeat(100));
    const proc = await startAppProcess({ env, cwd: w.root, waitReady: false });
    const exit = await proc.exited;
    expect(exit.code).not.toBe(0);
    const text = proc.output.join("\n");
    expect(text).toMatch(/issuesmith: .*jobs\.db/);
    expect(text).not.toMatch(/Listening on/);
  });

  it("exits non-zero with one clear message when PostgreSQL is unreachable", async () => {
    const w = await world(cleanup);
    const model = await createModelServer({ apiKey: MODEL_API_KEY });
    cleanup.push(() => model.close());
    const env = {
      ...appEnv(w, model),
      AGENT_QUEUE: "postgres",
      AGENT_DATABASE_URL: "postgres://issuesmith:s3cret@127.0.0.1:1/jobs",
    };
    const proc = await startAppProcess({ env, cwd: w.root, waitReady: false });
    const exit = await proc.exited;
    expect(exit.code).not.toBe(0);
    const text = proc.output.join("\n");
    expect(text).toMatch(/issuesmith: .*postgres:\/\/issuesmith:\*\*\*@127\.0\.0\.1:1\/jobs/);
    expect(text).not.toContain("s3cret");
    expect(text).not.toMatch(/Listening on/);
  });

  it("exits non-zero naming a wrong environment variable", async () => {
    const w = await world(cleanup);
    const proc = await startAppProcess({
      env: { APP_ID: "abc", PRIVATE_KEY: "nope", AGENT_QUEUE: "carrier-pigeon" },
      cwd: w.root,
      waitReady: false,
    });
    const exit = await proc.exited;
    expect(exit.code).toBe(1);
    const text = proc.output.join("\n");
    expect(text).toContain("AGENT_QUEUE");
  });
});

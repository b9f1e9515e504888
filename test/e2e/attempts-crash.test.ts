// A worker killed with SIGKILL while a job's two attempts wait on the model:
// the next worker resumes each attempt from its own checkpoint, and the tests
// still pick one pull request.
import { afterEach, expect, it } from "vitest";
import { MODEL_API_KEY, OWNER, REPO, MAINTAINER, WEBHOOK_SECRET } from "../support/app.ts";
import { startAppProcess } from "../support/app-process.ts";
import { createModelServer, type ReplyTurn } from "../support/model-server.ts";
import { fakeTarget, issuesEvent, sendWebhook } from "../support/webhooks.ts";
import { BUGGY_REPO, perAttempt } from "./fixtures.ts";
import { appEnv, until, world } from "./process-world.ts";

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
});

const edit = (to: string): ReplyTurn => ({
  toolCalls: [{ name: "edit", arguments: { path: "src/sum.js", old_str: "return a - b;", new_str: to } }],
});
const FINISH: ReplyTurn = { toolCalls: [{ name: "finish", arguments: { summary: "Changed the operator." } }] };

it("resumes every attempt from its own checkpoint after kill -9, and opens one PR from the passing one", async () => {
  const w = await world(cleanup, { ...BUGGY_REPO, ".github/agent.yml": "attempts: 2\nbudget:\n  test_rounds: 0\n" });
  let release!: () => void;
  const hold = new Promise<void>((r) => (release = r));
  cleanup.push(async () => release());
  // Each attempt edits, then its next call hangs until the first process is gone.
  const held = { pause: hold, then: FINISH };
  const model = await createModelServer({
    apiKey: MODEL_API_KEY,
    turns: perAttempt({ 1: [edit("return a + b;"), held], 2: [edit("return a * b;"), held] }, 6),
  });
  cleanup.push(() => model.close());
  const env = appEnv(w, model);
  const completions = () => model.requests.filter((r) => r.path.endsWith("/chat/completions"));

  const first = await startAppProcess({ env, cwd: w.root });
  cleanup.push(() => first.kill("SIGKILL"));
  const issue = w.fake.addIssue({ owner: OWNER, repo: REPO, title: "sum() is wrong", body: "-1", user: "reporter" });
  const res = await sendWebhook(
    `${first.url}/api/github/webhooks`,
    issuesEvent("labeled", fakeTarget(w.fake, OWNER, REPO, MAINTAINER), {
      issue: { number: issue.number, title: issue.title },
      label: "agent",
    }),
    { secret: WEBHOOK_SECRET },
  );
  expect(res.status).toBe(200);
  // Both edits are checkpointed, each on its own wip branch, and both attempts wait on the model.
  await until("both checkpoint pushes", () =>
    [1, 2].every((n) => w.fake.pushes.some((p) => new RegExp(`/wip/[^/]+-${n}$`).test(p.ref))),
  );
  await until("both held model calls", () => completions().length >= 4);
  await first.kill("SIGKILL");
  release();

  const second = await startAppProcess({ env, cwd: w.root });
  cleanup.push(() => second.kill("SIGKILL"));
  await until(
    "the final report",
    () => w.fake.state.issueComments.some((c) => c.user === w.fake.botLogin && c.body.includes("tests pass")),
    90_000,
  ).catch((e: unknown) => {
    throw new Error(`${String(e)}\n${second.output.slice(-40).join("\n")}`);
  });

  expect(w.fake.state.pulls).toHaveLength(1);
  const pr = w.fake.state.pulls[0]!;
  expect(await w.fake.readFile(OWNER, REPO, pr.headRef, "src/sum.js")).toContain("return a + b;");
  expect(w.fake.state.issue(pr.repo, pr.number)?.body).toMatch(/\| #2 \| ❌ tests fail/);
  // Each resumed attempt carried its own conversation: the edit it had made before the kill.
  const resumed = completions().slice(4);
  expect(resumed).toHaveLength(2);
  const sent = resumed.map((r) => JSON.stringify(r.body));
  expect(sent.some((b) => b.includes("return a + b;") && b.includes("attempt 1 of 2"))).toBe(true);
  expect(sent.some((b) => b.includes("return a * b;") && b.includes("attempt 2 of 2"))).toBe(true);
  await until(
    "both checkpoint branches to be deleted",
    async () => (await w.fake.git(OWNER, REPO, ["branch", "--list", "*wip*"])) === "",
    10_000,
  );
  await second.kill("SIGTERM");
}, 180_000);

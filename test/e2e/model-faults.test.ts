// Model faults and providers through the whole app: the strict model server
// plays the provider or the fault, the fake GitHub records what the
// maintainer is told (ARCHITECTURE.md §5.3).
import { afterEach, describe, expect, it } from "vitest";
import {
  botComments,
  pullsOf,
  startTestApp,
  MAINTAINER,
  OWNER,
  REPO,
  type TestApp,
  type TestAppOptions,
} from "../support/app.ts";
import type { Turn } from "../support/model-server.ts";
import { issuesEvent } from "../support/webhooks.ts";
import { BUGGY_REPO, FIX_TURNS } from "./fixtures.ts";

let app: TestApp | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

async function start(options: TestAppOptions) {
  app = await startTestApp({ files: BUGGY_REPO, ...options });
  return app;
}

async function label(a: TestApp) {
  const issue = a.fake.addIssue({
    owner: OWNER,
    repo: REPO,
    title: "sum() returns the wrong result",
    body: "sum(2, 3) gives -1.",
    user: "reporter",
  });
  const res = await a.send(
    issuesEvent("labeled", a.target(MAINTAINER), {
      issue: { number: issue.number, title: issue.title, body: issue.body ?? "" },
      label: "agent",
    }),
  );
  expect(res.status).toBe(200);
  return issue;
}

/** Every body the app's progress comment had, in order (posted, then each edit). */
function commentHistory(a: TestApp): string[] {
  return a.fake.requests
    .filter(
      (r) =>
        r.kind === "rest" &&
        r.status !== null &&
        r.status < 300 &&
        ((r.method === "POST" && /\/issues\/\d+\/comments$/.test(r.path)) ||
          (r.method === "PATCH" && /\/issues\/comments\/\d+$/.test(r.path))),
    )
    .map((r) => (JSON.parse(r.body) as { body: string }).body);
}

describe("a model endpoint that fails", () => {
  it("stays down: the comment says it is failing and when it retries, then ends naming the failure", async () => {
    const a = await start({ env: { AGENT_MODEL_RETRIES: "20", AGENT_MODEL_RETRY_WINDOW_S: "4" } });
    a.model.setFault({ status: 503 });
    const issue = await label(a);
    const [job] = await a.waitForJobs({ timeoutMs: 60_000 });
    expect(job?.state).not.toBe("running");
    expect(job?.outcome?.status).toBe("error");
    const [comment] = botComments(a, issue.number);
    expect(comment?.body).toMatch(
      /Stopped: model endpoint failing: 503 The engine is currently overloaded, please try again later\. after \d+ tries over \d+ s/,
    );
    expect(comment?.body).not.toContain("⏳");
    expect(comment?.body).not.toContain("did not follow the tool protocol");
    // While it retried, the maintainer read why and when the next try was.
    expect(
      commentHistory(a).some(
        (b) =>
          /⚠️ The model endpoint is failing \(503: The engine is currently overloaded/.test(b) &&
          /trying again at \d\d:\d\d:\d\d UTC/.test(b),
      ),
    ).toBe(true);
    expect(a.model.requests.length).toBeGreaterThan(1);
    expect(pullsOf(a)).toHaveLength(0);
  });

  it("hangs (takes the connection, never answers): taken for down after AGENT_MODEL_IDLE_S, not the 300 s timeout", async () => {
    const a = await start({
      env: { AGENT_MODEL_IDLE_S: "1", AGENT_MODEL_RETRIES: "1", AGENT_MODEL_RETRY_WINDOW_S: "10" },
    });
    a.model.setFault({ hang: true });
    const issue = await label(a);
    // Two silent tries of 1 s each (the second starts well inside the 10 s window) and a backoff: the job ends
    // long before AGENT_MODEL_TIMEOUT_S (300 s), even on a loaded machine where clone and setup are slow.
    const [job] = await a.waitForJobs({ timeoutMs: 50_000 });
    expect(job?.outcome?.status).toBe("error");
    const [comment] = botComments(a, issue.number);
    expect(comment?.body).toMatch(
      /Stopped: model endpoint failing: the model endpoint sent nothing for 1 s \(AGENT_MODEL_IDLE_S\) after 2 tries over \d+ s/,
    );
    expect(comment?.body).not.toContain("⏳");
    expect(a.model.requests.map((r) => r.outcome)).toEqual(["hung", "hung"]);
    expect(pullsOf(a)).toHaveLength(0);
  });

  it("refuses the key: reported within seconds, after exactly one request, with the provider's words", async () => {
    const a = await start({
      env: { OPENAI_API_KEY: "sk-not-the-right-key-00000000000wxyz", AGENT_MODEL_RETRIES: "8" },
      turns: FIX_TURNS,
    });
    const issue = await label(a);
    const [job] = await a.waitForJobs({ timeoutMs: 60_000 });
    // From the refusal to the report: no retry, no wait (the clone before it is not the model's).
    expect(Date.now() - a.model.requests[0]!.at).toBeLessThan(10_000);
    expect(job?.outcome?.status).toBe("error");
    expect(a.model.requests).toHaveLength(1);
    expect(a.model.requests[0]).toMatchObject({ outcome: "unauthorized", status: 401 });
    const [comment] = botComments(a, issue.number);
    expect(comment?.body).toContain(
      "Stopped: model endpoint refused the API key (401): Incorrect API key provided: [key].",
    );
    expect(comment?.body).toContain("check OPENAI_API_KEY");
    // Neither the key nor the provider's masked echo of it is published.
    expect(comment?.body).not.toContain("wxyz");
    expect(a.logs.join("\n")).not.toContain("sk-not-the-right-key-00000000000wxyz");
  });

  it("does not know the model: reported at once, one request", async () => {
    const a = await start({
      modelServer: { provider: "openai", model: "gpt-4.1" },
      env: { AGENT_MODEL: "gpt-4.1-nano-2099" },
      turns: FIX_TURNS,
    });
    const issue = await label(a);
    const [job] = await a.waitForJobs({ timeoutMs: 30_000 });
    expect(job?.outcome?.status).toBe("error");
    expect(a.model.requests).toHaveLength(1);
    expect(botComments(a, issue.number)[0]?.body).toContain(
      "Stopped: model endpoint does not know model `gpt-4.1-nano-2099` (404): The model `gpt-4.1-nano-2099` does not exist or you do not have access to it.",
    );
  });

  it("fails every other call transiently: still exactly one PR, and one progress comment", async () => {
    const faults: Turn[] = [
      { status: 503 },
      { status: 429, retryAfter: 0 },
      { ...FIX_TURNS[0]!, cutAfter: 2 },
      { status: 502 },
      { status: 500 },
    ];
    const turns = FIX_TURNS.flatMap((t, i) => [faults[i]!, t]);
    const a = await start({ turns, env: { AGENT_MODEL_RETRIES: "3" } });
    const issue = await label(a);
    const [job] = await a.waitForJobs({ timeoutMs: 90_000 });
    expect(job?.outcome?.status).toBe("pr_opened");
    expect(pullsOf(a)).toHaveLength(1);
    expect(botComments(a, issue.number)).toHaveLength(1);
    expect(a.model.requests.map((r) => r.status)).toEqual([503, 200, 429, 200, 200, 200, 502, 200, 500, 200]);
    expect(a.model.requests[4]?.outcome).toBe("cut");
    expect(a.model.remaining).toBe(0);
  });

  it("keeps the token budget a hard cap across retries: the usage the endpoint billed stays under it", async () => {
    // Room for two steps of this task, not three: each reserves AGENT_MAX_OUTPUT_TOKENS (4,096) for its answer
    // beside its prompt and the tools' schemas; a step of this task bills about 700 tokens.
    const cap = 7_600;
    const turns = FIX_TURNS.flatMap((t) => [{ status: 503 } as Turn, t]);
    const a = await start({
      turns,
      files: { ...BUGGY_REPO, ".github/agent.yml": `budget:\n  tokens: ${cap}\n` },
      env: { AGENT_MODEL_RETRIES: "2" },
    });
    const issue = await label(a);
    const [job] = await a.waitForJobs({ timeoutMs: 90_000 });
    expect(job?.outcome?.status).toBe("limit");
    const billed = a.model.requests.reduce((n, r) => n + (r.usage?.total_tokens ?? 0), 0);
    expect(a.model.requests.filter((r) => r.status === 503).length).toBeGreaterThan(0);
    expect(a.model.requests.filter((r) => r.usage).length).toBeGreaterThanOrEqual(2);
    expect(billed).toBeLessThanOrEqual(cap);
    expect(botComments(a, issue.number)[0]?.body).toContain("budget limit reached: tokens");
  });
});

describe("the providers users run", () => {
  it("an OpenAI reasoning model: max_completion_tokens, no temperature, native tool calls, a PR", async () => {
    const a = await start({ modelServer: { provider: "openai-reasoning", model: "o4-mini" }, turns: FIX_TURNS });
    await label(a);
    const [job] = await a.waitForJobs({ timeoutMs: 60_000 });
    expect(job?.outcome?.status).toBe("pr_opened");
    expect(a.model.requests.map((r) => r.outcome)).toEqual(FIX_TURNS.map(() => "answered"));
    for (const r of a.model.requests) {
      expect(r.body).toHaveProperty("max_completion_tokens");
      expect(r.body).not.toHaveProperty("max_tokens");
      expect(r.body).not.toHaveProperty("temperature");
      expect(r.body?.tools?.length).toBeGreaterThan(0);
    }
  });

  it("a reasoning deployment whose name does not tell: learnt from the first refusal, native all along", async () => {
    const a = await start({
      modelServer: { provider: "openai-reasoning", model: "acme-reasoner-prod" },
      turns: FIX_TURNS,
    });
    await label(a);
    const [job] = await a.waitForJobs({ timeoutMs: 60_000 });
    expect(job?.outcome?.status).toBe("pr_opened");
    expect(a.model.requests.map((r) => r.outcome)).toEqual(["refused-param", ...FIX_TURNS.map(() => "answered")]);
    expect(a.model.requests.every((r) => (r.body?.tools?.length ?? 0) > 0)).toBe(true);
  });

  it("Azure OpenAI: the deployment URL with api-version, the key in api-key, a PR", async () => {
    const a = await start({
      modelServer: { provider: "azure", model: "gpt-4o", deployment: "widgets-gpt4o" },
      turns: FIX_TURNS,
    });
    await label(a);
    const [job] = await a.waitForJobs({ timeoutMs: 60_000 });
    expect(job?.outcome?.status).toBe("pr_opened");
    expect(
      a.model.requests.every(
        (r) =>
          r.path === "/openai/deployments/widgets-gpt4o/chat/completions" &&
          r.query === "api-version=2024-10-21" &&
          r.authorization === undefined,
      ),
    ).toBe(true);
  });

  it("a server that streams arguments as objects, no usage and reasoning_content, and refuses stream_options: a PR", async () => {
    const a = await start({
      modelServer: {
        reject: ["stream_options"],
        stream: { argumentsAsObjects: true, omitUsage: true, reasoningContent: "Thinking it over." },
      },
      turns: FIX_TURNS,
    });
    await label(a);
    const [job] = await a.waitForJobs({ timeoutMs: 60_000 });
    expect(job?.outcome?.status).toBe("pr_opened");
    expect(a.model.requests.map((r) => r.outcome)).toEqual(["refused-param", ...FIX_TURNS.map(() => "answered")]);
    expect(job?.outcome?.usage?.inputTokens).toBeGreaterThan(0);
  });
});

import OpenAI from "openai";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createModelServer, type ModelServer } from "../support/model-server.ts";

const TOOLS = [
  {
    type: "function" as const,
    function: {
      name: "view",
      description: "View a file",
      parameters: { type: "object", properties: { path: { type: "string" } }, required: ["path"] },
    },
  },
];

describe("scripted model server", () => {
  let server: ModelServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  function client(s: ModelServer, extra: Partial<ConstructorParameters<typeof OpenAI>[0]> = {}): OpenAI {
    return new OpenAI({ baseURL: s.url, apiKey: "sk-test", maxRetries: 0, ...extra });
  }

  it("streams a tool call in chunks that the openai SDK reassembles", async () => {
    server = await createModelServer({
      turns: [
        {
          content: "Let me look.",
          toolCalls: [{ name: "view", arguments: { path: "src/add.js", start: 1 } }],
          usage: { prompt_tokens: 120, completion_tokens: 30 },
        },
      ],
    });
    const stream = client(server).chat.completions.stream({
      model: "m",
      messages: [{ role: "user", content: "fix it" }],
      tools: TOOLS,
      stream_options: { include_usage: true },
    });
    let deltas = 0;
    stream.on("chunk", () => deltas++);
    const done = await stream.finalChatCompletion();
    const message = done.choices[0]?.message;
    expect(message?.content).toBe("Let me look.");
    const call = message?.tool_calls?.[0];
    expect(call?.type === "function" && [call.function.name, JSON.parse(call.function.arguments)]).toEqual([
      "view",
      { path: "src/add.js", start: 1 },
    ]);
    expect(done.choices[0]?.finish_reason).toBe("tool_calls");
    expect(done.usage).toMatchObject({ prompt_tokens: 120, completion_tokens: 30, total_tokens: 150 });
    // role, 3 content pieces, tool name, ≥2 argument pieces, finish, usage
    expect(deltas).toBeGreaterThanOrEqual(8);
    expect(server.requests[0]).toMatchObject({ stream: true, authorization: "Bearer sk-test", outcome: "answered" });
    expect(server.requests[0]?.body?.tools).toHaveLength(1);
  });

  it("streams raw deltas with an index, an id and arguments split across chunks", async () => {
    server = await createModelServer({
      turns: [
        {
          toolCalls: [
            { name: "view", arguments: { path: "a" } },
            { name: "view", arguments: { path: "b" }, id: "call_b" },
          ],
        },
      ],
    });
    const stream = await client(server).chat.completions.create({
      model: "m",
      messages: [{ role: "user", content: "x" }],
      tools: TOOLS,
      stream: true,
    });
    const pieces: Record<number, string[]> = {};
    const ids: string[] = [];
    for await (const chunk of stream) {
      for (const call of chunk.choices[0]?.delta.tool_calls ?? []) {
        if (call.id) ids.push(call.id);
        if (call.function?.arguments) (pieces[call.index] ??= []).push(call.function.arguments);
      }
    }
    expect(ids).toEqual(["call_1_1", "call_b"]);
    expect(pieces[0]?.length).toBeGreaterThan(1);
    expect(pieces[0]?.join("")).toBe('{"path":"a"}');
    expect(pieces[1]?.join("")).toBe('{"path":"b"}');
  });

  it("answers without streaming, and lists its model", async () => {
    server = await createModelServer({ model: "tiny", turns: [{ content: "done" }] });
    const openai = client(server);
    const res = await openai.chat.completions.create({ model: "tiny", messages: [{ role: "user", content: "hi" }] });
    expect([res.choices[0]?.message.content, res.choices[0]?.finish_reason, res.model]).toEqual([
      "done",
      "stop",
      "tiny",
    ]);
    expect((await openai.models.list()).data.map((m) => m.id)).toEqual(["tiny"]);
  });

  it("lets a turn react to the request, e.g. to a tool result", async () => {
    server = await createModelServer({
      turns: [
        { toolCalls: [{ name: "view", arguments: { path: "README.md" } }] },
        (request) => ({
          content: `saw ${request.lastToolResult ?? "nothing"} from ${request.toolResults[0]?.toolCallId ?? "?"}`,
        }),
      ],
    });
    const openai = client(server);
    const first = await openai.chat.completions.create({
      model: "m",
      messages: [{ role: "user", content: "go" }],
      tools: TOOLS,
    });
    const call = first.choices[0]?.message.tool_calls?.[0];
    const second = await openai.chat.completions.create({
      model: "m",
      tools: TOOLS,
      messages: [
        { role: "user", content: "go" },
        { role: "assistant", content: null, tool_calls: first.choices[0]?.message.tool_calls ?? [] },
        { role: "tool", tool_call_id: call?.id ?? "", content: "# readme" },
      ],
    });
    expect(second.choices[0]?.message.content).toBe("saw # readme from call_1_1");
  });

  it("answers 400 to `tools` in text-only mode, keeping the turn for the text-protocol retry", async () => {
    server = await createModelServer({
      noNativeTools: true,
      turns: [{ content: '```json\n{"tool":"view","arguments":{"path":"a"}}\n```' }],
    });
    const openai = client(server);
    await expect(
      openai.chat.completions.create({ model: "m", messages: [{ role: "user", content: "x" }], tools: TOOLS }),
    ).rejects.toMatchObject({ status: 400 });
    const res = await openai.chat.completions.create({ model: "m", messages: [{ role: "user", content: "x" }] });
    expect(res.choices[0]?.message.content).toContain('"tool":"view"');
    expect(server.requests.map((r) => r.outcome)).toEqual(["refused-tools", "answered"]);
  });

  it("plays an error turn with Retry-After, which the SDK's own retry honours", async () => {
    server = await createModelServer({ turns: [{ status: 429, retryAfter: 0 }, { content: "after the limit" }] });
    const res = await client(server, { maxRetries: 1 }).chat.completions.create({
      model: "m",
      messages: [{ role: "user", content: "x" }],
    });
    expect(res.choices[0]?.message.content).toBe("after the limit");
    expect(server.requests.map((r) => [r.outcome, r.status])).toEqual([
      ["error-turn", 429],
      ["answered", 200],
    ]);
  });

  it("ends with a readable 500 when the script runs out", async () => {
    server = await createModelServer({ turns: [] });
    await expect(
      client(server).chat.completions.create({ model: "m", messages: [{ role: "user", content: "x" }] }),
    ).rejects.toThrow(/script exhausted/);
    expect(server.errors).toEqual([expect.stringMatching(/chat request #1 has no scripted turn/)]);
  });

  it("holds a paused turn until released, and notes a client that gave up", async () => {
    let release = () => undefined as void;
    const gate = new Promise<void>((r) => (release = r));
    server = await createModelServer({ turns: [{ pause: gate, then: { content: "late" } }] });
    const controller = new AbortController();
    const pending = client(server).chat.completions.create(
      { model: "m", messages: [{ role: "user", content: "x" }] },
      { signal: controller.signal },
    );
    await new Promise((r) => setTimeout(r, 100));
    expect(server.requests).toHaveLength(1);
    controller.abort();
    await expect(pending).rejects.toThrow();
    await vi.waitFor(() => expect(server?.requests[0]?.outcome).toBe("aborted"));
    release();
    // released after the client left: nothing is written, the turn is spent
    await new Promise((r) => setTimeout(r, 50));
    expect([server.requests[0]?.outcome, server.remaining]).toEqual(["aborted", 0]);
  });

  it("refuses a wrong API key when one is required", async () => {
    server = await createModelServer({ apiKey: "sk-right", turns: [{ content: "x" }] });
    await expect(
      client(server).chat.completions.create({ model: "m", messages: [{ role: "user", content: "x" }] }),
    ).rejects.toMatchObject({ status: 401 });
    expect(server.remaining).toBe(1);
  });
});

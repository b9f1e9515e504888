import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { ToolError } from "../../src/errors.ts";
import { defineTool, type Tool } from "../../src/tools/define.ts";
import { createRegistry, defaultTools, parseArguments } from "../../src/tools/registry.ts";
import { makeContext, makeRepo, type TestRepo } from "./helpers.ts";

let repo: TestRepo;
beforeAll(async () => {
  repo = await makeRepo({ "a.txt": "hello\n" });
});
afterAll(() => repo.cleanup());

const echo = defineTool({
  name: "echo",
  description: "Echo text.",
  params: z.object({
    text: z.string().describe("What to echo."),
    times: z.number().int().min(1).default(1).describe("How often."),
    loud: z.boolean().optional().describe("Shout."),
  }),
  async run(args) {
    const out = Array.from({ length: args.times }, () => args.text).join("\n");
    return args.loud ? out.toUpperCase() : out;
  },
});
const noArgs = defineTool({
  name: "ping",
  description: "Ping.",
  params: z.object({}),
  async run() {
    return "pong";
  },
});
const refuses = defineTool({
  name: "refuse",
  description: "Refuses.",
  params: z.object({}),
  async run(): Promise<string> {
    throw new ToolError("no, and here is what to do instead");
  },
});
const crashes = defineTool({
  name: "crash",
  description: "Crashes.",
  params: z.object({}),
  async run(): Promise<string> {
    throw new TypeError("cannot read properties of undefined");
  },
});
const hangs = defineTool({
  name: "hang",
  description: "Never ends.",
  params: z.object({}),
  run: () => new Promise<string>(() => {}),
});
const tools = [echo, noArgs, refuses, crashes, hangs] as Tool[];

describe("createRegistry", () => {
  it("describes each tool to the model as a closed JSON Schema object with its field descriptions", () => {
    const reg = createRegistry(tools);
    expect(reg.names).toEqual(["echo", "ping", "refuse", "crash", "hang"]);
    const spec = reg.specs().find((s) => s.name === "echo")!;
    expect(spec.description).toBe("Echo text.");
    expect(spec.parameters).toEqual({
      type: "object",
      properties: {
        text: { type: "string", description: "What to echo." },
        times: { type: "integer", minimum: 1, default: 1, description: "How often." },
        loud: { type: "boolean", description: "Shout." },
      },
      required: ["text"],
      additionalProperties: false,
    });
    expect(reg.specs().find((s) => s.name === "ping")!.parameters).toEqual({
      type: "object",
      properties: {},
      additionalProperties: false,
    });
  });

  it("refuses two tools with the same name", () => {
    expect(() => createRegistry([echo, echo] as Tool[])).toThrow(/two tools are named echo/);
  });

  it("runs a valid call and returns its output", async () => {
    const out = await createRegistry(tools).call(
      { name: "echo", arguments: '{"text":"hi","times":2}' },
      makeContext(repo),
    );
    expect(out).toEqual({ isError: false, output: "hi\nhi" });
  });

  it("answers an unknown tool as malformed, listing the valid names and the likely one", async () => {
    const reg = createRegistry(defaultTools());
    const out = await reg.call({ name: "bash", arguments: '{"command":"ls"}' }, makeContext(repo));
    expect(out.isError).toBe(true);
    expect(out.malformed).toBe(true);
    expect(out.output).toBe(
      "Unknown tool `bash`. Did you mean `shell`? Available tools: view, search, edit, insert, create, shell, run_tests, lint, finish.",
    );
    const plain = await reg.call({ name: "frobnicate", arguments: "{}" }, makeContext(repo));
    expect(plain.output).toMatch(/^Unknown tool `frobnicate`\. Available tools: view, /);
  });

  it("answers arguments that are not JSON as malformed, with the expected shape", async () => {
    const out = await createRegistry(tools).call({ name: "echo", arguments: '{"text": "hi"' }, makeContext(repo));
    expect(out.malformed).toBe(true);
    expect(out.output).toMatch(/^The arguments of `echo` are not valid JSON \(/);
    expect(out.output).toContain(
      "Expected a JSON object with:\n- text (string, required): What to echo.\n- times (integer, default 1): How often.\n- loud (boolean, optional): Shout.",
    );
  });

  it("answers arguments that do not match the schema as malformed, naming each field", async () => {
    const out = await createRegistry(tools).call({ name: "echo", arguments: '{"times":"two"}' }, makeContext(repo));
    expect(out.malformed).toBe(true);
    expect(out.output).toMatch(
      /^Invalid arguments for `echo`:\n- text: .*expected string.*\n- times: .*expected number/,
    );
    expect(out.output).toContain("- text (string, required)");
  });

  it("refuses unknown argument names instead of dropping them", async () => {
    const out = await createRegistry(tools).call(
      { name: "echo", arguments: '{"text":"hi","Loud":true}' },
      makeContext(repo),
    );
    expect(out.malformed).toBe(true);
    expect(out.output).toContain("- Loud: unknown argument");
  });

  it("answers a JSON array or number as malformed", async () => {
    const reg = createRegistry(tools);
    expect((await reg.call({ name: "echo", arguments: "[1]" }, makeContext(repo))).output).toMatch(
      /are a JSON array, not a JSON object/,
    );
    expect((await reg.call({ name: "echo", arguments: "42" }, makeContext(repo))).output).toMatch(
      /are a JSON number, not a JSON object/,
    );
  });

  it("accepts empty, null and empty-object arguments for a tool without parameters", async () => {
    const reg = createRegistry(tools);
    for (const args of ["", "  ", "null", "{}", '""', '"{}"']) {
      expect(await reg.call({ name: "ping", arguments: args }, makeContext(repo))).toEqual({
        isError: false,
        output: "pong",
      });
    }
  });

  it("unwraps arguments sent as a JSON string holding the JSON object, or in a code fence", async () => {
    const reg = createRegistry(tools);
    const doubled = JSON.stringify(JSON.stringify({ text: "inner" }));
    expect((await reg.call({ name: "echo", arguments: doubled }, makeContext(repo))).output).toBe("inner");
    expect(
      (await reg.call({ name: "echo", arguments: '```json\n{"text":"fenced"}\n```' }, makeContext(repo))).output,
    ).toBe("fenced");
  });

  it("shows a ToolError's message as an error result that is not malformed", async () => {
    const out = await createRegistry(tools).call({ name: "refuse", arguments: "{}" }, makeContext(repo));
    expect(out).toEqual({ isError: true, output: "no, and here is what to do instead" });
  });

  it("turns any other exception into an internal error result instead of throwing", async () => {
    const out = await createRegistry(tools).call({ name: "crash", arguments: "{}" }, makeContext(repo));
    expect(out.isError).toBe(true);
    expect(out.malformed).toBeUndefined();
    expect(out.output).toMatch(/^internal error in tool crash: cannot read properties of undefined\./);
  });

  it("returns promptly when the job is cancelled while a tool runs", async () => {
    const controller = new AbortController();
    let abortedAt = 0;
    setTimeout(() => {
      abortedAt = performance.now();
      controller.abort();
    }, 50);
    // `hang` never ends: without the abort this call would never return.
    const out = await createRegistry(tools).call(
      { name: "hang", arguments: "{}" },
      makeContext(repo, { signal: controller.signal }),
    );
    // Measured from the abort, with room for a loaded CI machine.
    expect(performance.now() - abortedAt).toBeLessThan(10_000);
    expect(out).toEqual({ isError: true, output: "Stopped: the job was cancelled while `hang` ran." });
  });

  it("does not start a tool when the job is already cancelled", async () => {
    const controller = new AbortController();
    controller.abort();
    const out = await createRegistry(defaultTools()).call(
      { name: "create", arguments: '{"path":"x.txt","content":"x"}' },
      makeContext(repo, { signal: controller.signal }),
    );
    expect(out.output).toBe("Not run: the job was cancelled.");
    await expect(import("node:fs/promises").then((fs) => fs.stat(repo.file("x.txt")))).rejects.toThrow();
  });

  it("redacts secret values and token-shaped strings from every output", async () => {
    const secret = "s3cr3t-value-1234";
    const reg = createRegistry(tools);
    const ctx = makeContext(repo, { secrets: [secret] });
    const out = await reg.call(
      { name: "echo", arguments: JSON.stringify({ text: `key=${secret} token=ghs_${"a".repeat(36)}` }) },
      ctx,
    );
    expect(out.output).toBe("key=[REDACTED] token=[REDACTED]");
    const err = await reg.call({ name: "nope", arguments: "{}" }, ctx);
    expect(err.output).not.toContain(secret);
  });

  it("truncates long output keeping the head and the tail, with the cut marked", async () => {
    const reg = createRegistry(tools, { maxOutputChars: 1_000 });
    const text = Array.from({ length: 2_000 }, (_, i) => `line ${i}`).join("\n");
    const out = await reg.call({ name: "echo", arguments: JSON.stringify({ text }) }, makeContext(repo));
    expect(out.output.length).toBeLessThanOrEqual(1_000);
    expect(out.output.startsWith("line 0\nline 1\n")).toBe(true);
    expect(out.output.endsWith("line 1998\nline 1999")).toBe(true);
    expect(out.output).toMatch(/\[\.\.\. [\d,]+ characters cut \.\.\.\]/);
  });

  it("passes a finish outcome through", async () => {
    const out = await createRegistry(defaultTools()).call(
      { name: "finish", arguments: '{"summary":"Fixed the off-by-one in range()."}' },
      makeContext(repo),
    );
    expect(out.finish).toEqual({ summary: "Fixed the off-by-one in range()." });
    expect(out.isError).toBe(false);
  });
});

describe("defaultTools", () => {
  it("is the standard set, each with a description on every parameter", () => {
    const reg = createRegistry(defaultTools());
    expect(reg.names).toEqual(["view", "search", "edit", "insert", "create", "shell", "run_tests", "lint", "finish"]);
    for (const spec of reg.specs()) {
      expect(spec.parameters).not.toHaveProperty("$schema");
      expect(spec.parameters.additionalProperties).toBe(false);
      for (const [name, prop] of Object.entries(
        spec.parameters.properties as Record<string, { description?: string }>,
      )) {
        expect(prop.description, `${spec.name}.${name}`).toBeTruthy();
      }
    }
  });

  it("finish refuses an empty summary as malformed", async () => {
    const out = await createRegistry(defaultTools()).call(
      { name: "finish", arguments: '{"summary":"  "}' },
      makeContext(repo),
    );
    expect(out.malformed).toBe(true);
    expect(out.output).toMatch(/summary: the summary must not be empty/);
  });
});

describe("parseArguments", () => {
  it("explains a double-encoded string that does not hold JSON", () => {
    expect(parseArguments('"path=src"')).toEqual({ ok: false, problem: "a JSON string, not a JSON object" });
  });
});

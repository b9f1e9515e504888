import { describe, expect, it } from "vitest";
import { parseTextToolCalls, toTextMessages } from "../../src/llm/text-protocol.ts";

describe("the text protocol", () => {
  it("reads fenced tool calls, several per reply", () => {
    const { toolCalls, error } = parseTextToolCalls(
      'Let me look.\n```tool\n{"name": "view", "arguments": {"path": "a.ts"}}\n```\n```tool\n{"name":"search","arguments":{"pattern":"x"}}\n```',
      "t1",
    );
    expect(error).toBeUndefined();
    expect(toolCalls).toEqual([
      { id: "t1_0", name: "view", arguments: '{"path":"a.ts"}' },
      { id: "t1_1", name: "search", arguments: '{"pattern":"x"}' },
    ]);
  });

  it("ignores code samples and names a broken call", () => {
    expect(parseTextToolCalls("```js\nconst x = 1;\n```", "t").toolCalls).toEqual([]);
    const bad = parseTextToolCalls('```tool\n{"name": "view", "arguments": {path}}\n```', "t");
    expect(bad.error).toMatch(/not valid JSON/);
    expect(parseTextToolCalls('```tool\n{"arguments": {}}\n```', "t").error).toMatch(/no "name"/);
  });

  it("rewrites tool calls and results as plain text turns", () => {
    const out = toTextMessages(
      [
        { role: "system", content: "sys" },
        { role: "user", content: "task" },
        {
          role: "assistant",
          content: "",
          toolCalls: [
            { id: "1", name: "view", arguments: '{"path":"a"}' },
            { id: "2", name: "view", arguments: '{"path":"b"}' },
          ],
        },
        { role: "tool", toolCallId: "1", name: "view", content: "A" },
        { role: "tool", toolCallId: "2", name: "view", content: "B" },
      ],
      [{ name: "view", description: "d", parameters: { type: "object" } }],
    );
    expect(out.map((m) => m.role)).toEqual(["system", "user", "assistant", "user"]);
    expect(out[0]!.content).toContain("### view");
    expect(out[2]!.content).toContain('```tool\n{"name":"view","arguments":{"path":"a"}}');
    expect(out[3]!.content).toBe("Result of `view`:\nA\n\nResult of `view`:\nB");
  });
});

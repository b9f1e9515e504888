import { describe, expect, it } from "vitest";
import { isBot } from "../../src/github/bots.ts";
import { mayHoldCommand, parseCommand } from "../../src/github/triggers.ts";

describe("/agent commands", () => {
  it("reads a verb and free text at the start of any line", () => {
    expect(parseCommand("Thanks!\n/agent fix the null check\nplease")).toEqual({
      verb: "fix",
      text: "the null check\nplease",
    });
    expect(parseCommand("/agent plan")).toEqual({ verb: "plan", text: "" });
    expect(parseCommand("  /AGENT STOP")).toEqual({ verb: "stop", text: "" });
    expect(parseCommand("/agent update")).toEqual({ verb: "update", text: "" });
  });

  it("takes /agent alone as fix", () => {
    expect(parseCommand("/agent")).toEqual({ verb: "fix", text: "" });
    expect(parseCommand("/agent\nuse the cache")).toEqual({ verb: "fix", text: "use the cache" });
  });

  it("marks an unknown verb so the reply can be the help text", () => {
    expect(parseCommand("/agent dance now")).toEqual({ verb: "unknown", word: "dance", text: "now" });
  });

  it("ignores quotes, code blocks, other words and mid-line mentions", () => {
    expect(parseCommand("> /agent fix")).toBeUndefined();
    expect(parseCommand("```\n/agent fix\n```")).toBeUndefined();
    expect(parseCommand("/agentic fix")).toBeUndefined();
    expect(parseCommand("try /agent fix")).toBeUndefined();
    expect(parseCommand(null)).toBeUndefined();
  });

  it("honours a configured prefix", () => {
    expect(parseCommand("/bot fix it", "/bot")).toEqual({ verb: "fix", text: "it" });
    expect(parseCommand("/agent fix it", "/bot")).toBeUndefined();
  });

  it("skips comments that cannot hold a command without asking anyone", () => {
    expect(mayHoldCommand("looks good to me")).toBe(false);
    expect(mayHoldCommand("ok\n  /agent fix")).toBe(true);
  });

  it("knows bots and the app itself", () => {
    expect(isBot({ login: "dependabot[bot]", type: "Bot" })).toBe(true);
    expect(isBot({ login: "renovate[bot]" })).toBe(true);
    expect(isBot({ login: "issuesmith", type: "User" }, "issuesmith")).toBe(true);
    expect(isBot({ login: "maya", type: "User" }, "issuesmith")).toBe(false);
    expect(isBot(undefined)).toBe(true);
  });
});

describe("--model on a command", () => {
  it("takes the model out of the command's words, in either spelling", () => {
    expect(parseCommand("/agent fix --model gpt-4.1 the null check")).toEqual({
      verb: "fix",
      text: "the null check",
      model: "gpt-4.1",
    });
    expect(parseCommand("/agent plan --model=qwen2.5-coder")).toEqual({
      verb: "plan",
      text: "",
      model: "qwen2.5-coder",
    });
    // Only the command's own line holds flags: the text below is the person's words.
    expect(parseCommand("/agent fix the docs\nmention --model x")).toEqual({
      verb: "fix",
      text: "the docs\nmention --model x",
    });
    expect(parseCommand("/agent fix --model")).toEqual({ verb: "fix", text: "--model" });
  });
});

describe("--attempts on a command", () => {
  it("takes the count out of the command's words, in either spelling, beside --model", () => {
    expect(parseCommand("/agent fix --attempts 3 the null check")).toEqual({
      verb: "fix",
      text: "the null check",
      attempts: "3",
    });
    expect(parseCommand("/agent fix --attempts=2 --model gpt-4.1")).toEqual({
      verb: "fix",
      text: "",
      attempts: "2",
      model: "gpt-4.1",
    });
    // As written: the handler refuses what is not a count from 1 to 5.
    expect(parseCommand("/agent fix --attempts many")).toEqual({ verb: "fix", text: "", attempts: "many" });
    expect(parseCommand("/agent fix --attempts")).toEqual({ verb: "fix", text: "--attempts" });
  });
});

import { describe, expect, it } from "vitest";
import { feedbackSection, threadAnswers } from "../../../src/run/revise/review-feedback.ts";
import type { ReviewThread } from "../../../src/github/review-threads.ts";

const thread = (id: string, path: string): ReviewThread => ({
  id,
  path,
  line: 2,
  diffHunk: "@@ -1 +1 @@\n-a\n+b",
  outdated: false,
  comments: [{ id: 1, author: "maya", body: `about ${path}` }] as ReviewThread["comments"],
});
const commit = { short: "abc1234", url: "https://github.com/acme/widgets/pull/3/commits/abc1234" };
const threads = [thread("RT_1", "src/add.js"), thread("RT_2", "src/add.js"), thread("RT_3", "lib/other.js")];

describe("answers to review threads", () => {
  it("shows each thread to the model under an id and asks for one note per id", () => {
    const text = feedbackSection({ threads, reviews: [] });
    expect(text).toContain("### Thread T1 on `src/add.js:2`");
    expect(text).toContain("### Thread T3 on `lib/other.js:2`");
    expect(text).toContain("one entry for each of T1, T2, T3");
  });

  it("answers every thread: the model's word where it gave one, resolvable only where it changed code", () => {
    // A README change for a comment on src/add.js: the thread's own file did not change.
    const answers = threadAnswers(
      threads,
      [
        { thread: "T1", changed: true, reply: "Documented it in the README." },
        { thread: "t2", changed: false, reply: "Kept as is: the name is the public API." },
      ],
      new Set(["README.md"]),
      commit,
      "Documented add()",
    );
    expect(answers.map((a) => [a.thread.id, a.changedCode])).toEqual([
      ["RT_1", true],
      ["RT_2", false],
      ["RT_3", false],
    ]);
    expect(answers[0]?.reply).toBe(`Addressed in [\`abc1234\`](${commit.url}): Documented it in the README.`);
    expect(answers[1]?.reply).toBe(
      `Kept as is: the name is the public API.\n\n(No change for this thread in [\`abc1234\`](${commit.url}).)`,
    );
    expect(answers[2]?.reply).toMatch(
      /^The revision \[`abc1234`\]\(.*\) made no change for this thread, and the agent gave no reason\./,
    );
  });

  it("falls back to the commit's files when the model gave no notes, and changes nothing without a commit", () => {
    const withCommit = threadAnswers(threads, undefined, new Set(["src/add.js"]), commit, "Fixed add()");
    expect(withCommit.map((a) => a.changedCode)).toEqual([true, true, false]);
    expect(withCommit[0]?.reply).toBe(`Addressed in [\`abc1234\`](${commit.url}): Fixed add()`);
    const noCommit = threadAnswers(
      threads,
      [{ thread: "T1", changed: true, reply: "Nothing needed: already covered." }],
      new Set(),
      undefined,
      undefined,
    );
    expect(noCommit.map((a) => a.changedCode)).toEqual([false, false, false]);
    expect(noCommit[0]?.reply).toBe("Nothing needed: already covered.");
    expect(noCommit[1]?.reply).toMatch(/^This revision made no change for this thread/);
  });
});

// `finish`: the model says it is done. Its word is not the verdict: the app
// runs the tests itself afterwards. The summary becomes the PR description.
import { z } from "zod";
import { defineTool, type ToolOutcome } from "./define.ts";

const params = z.object({
  summary: z
    .string()
    .trim()
    .min(1, "the summary must not be empty: say what changed and why")
    .describe(
      "For the pull request's reviewer: what was wrong, what you changed and why, and how you tested it (Markdown).",
    ),
  threads: z
    .array(
      z.object({
        thread: z.string().trim().min(1).describe("The thread's id as shown, e.g. T2."),
        changed: z.boolean().describe("true when you changed code for this thread."),
        reply: z
          .string()
          .trim()
          .min(1)
          .max(2_000)
          .describe("For the reviewer, in one or two sentences: what you did, or why you changed nothing."),
      }),
    )
    .optional()
    .describe("Only when review threads were shown to you: one entry per thread, every one of them."),
});

export const finishTool = defineTool({
  name: "finish",
  description:
    "Call when the task is done (or cannot be done). The app then runs the tests itself and opens the pull request with your summary.",
  params,
  async run(args): Promise<ToolOutcome> {
    return {
      isError: false,
      output: "Finished. The app will now run the tests and open the pull request.",
      finish: { summary: args.summary, ...(args.threads ? { threads: args.threads } : {}) },
    };
  },
});

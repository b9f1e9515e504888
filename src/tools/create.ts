// `create`: a new file (parents made as needed). It will not silently
// replace an existing file: that takes `overwrite: true`, said on purpose.
import { stat } from "node:fs/promises";
import { z } from "zod";
import { ToolError } from "../errors.ts";
import { defineTool } from "./define.ts";
import { formatBytes, formatCount, splitLines } from "./text-file.ts";
import { resolveWritable, syntaxNote, writeChecked } from "./write-guard.ts";

const params = z.object({
  path: z
    .string()
    .min(1)
    .describe("New file, relative to the repository root; missing parent directories are created."),
  content: z.string().describe("The whole content of the file."),
  overwrite: z
    .boolean()
    .default(false)
    .describe("Replace the file if it already exists (prefer `edit` for changes to existing files)."),
});

export const createTool = defineTool({
  name: "create",
  description:
    "Create a file with the given content. Refuses to replace an existing file unless overwrite is true. A syntax check is appended.",
  params,
  async run(args, ctx) {
    const file = await resolveWritable(ctx, args.path);
    const st = await stat(file.abs).catch(() => undefined);
    if (st?.isDirectory()) throw new ToolError(`\`${file.rel}\` is an existing directory.`);
    if (st && !args.overwrite) {
      throw new ToolError(
        `\`${file.rel}\` already exists (${formatBytes(st.size)}). Change it with \`edit\`, or pass overwrite: true to replace it whole.`,
      );
    }
    await writeChecked(ctx, file, args.content);
    const count = splitLines(args.content).length;
    const what = st ? `Overwrote \`${file.rel}\` (was ${formatBytes(st.size)})` : `Created \`${file.rel}\``;
    return `${what}: ${formatCount(count)} line${count === 1 ? "" : "s"}, ${formatCount(Buffer.byteLength(args.content))} bytes.${await syntaxNote(ctx, file, args.content)}`;
  },
});

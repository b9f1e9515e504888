// `search`: content (ripgrep, else `git grep`) or file names, capped and
// grouped by file so a broad pattern costs a few hundred tokens, not a flood.
// Both respect .gitignore and never look inside .git/.
import picomatch from "picomatch";
import { z } from "zod";
import { ToolError } from "../errors.ts";
import { resolveInWorkspace, toWorkspaceRelative } from "../security/paths.ts";
import { defineTool, type ToolContext } from "./define.ts";
import { runRipgrep } from "./ripgrep.ts";
import { shellQuote } from "./syntax-check.ts";
import { clipLine, formatCount } from "./text-file.ts";

const MAX_LINE = 300;
/** Lines kept for sorting; beyond it only counted (up to COUNT_LIMIT, then rg is stopped). */
const KEEP = 5_000;
const COUNT_LIMIT = 200_000;
const TIMEOUT_MS = 30_000;

const params = z.object({
  pattern: z
    .string()
    .min(1)
    .describe(
      'Content mode: a regular expression (Rust/ripgrep syntax), or plain text with literal: true. Files mode: a glob ("*.test.ts", "src/**/*.py") or part of a file name.',
    ),
  mode: z
    .enum(["content", "files"])
    .default("content")
    .describe('"content" searches inside files; "files" finds files by name.'),
  path: z
    .string()
    .optional()
    .describe("Directory or file to search in, relative to the repository root. Default: the whole repository."),
  glob: z
    .string()
    .optional()
    .describe('Content mode: only search files matching this glob (e.g. "*.ts", "!*.min.js").'),
  ignore_case: z.boolean().default(false).describe("Match regardless of case."),
  literal: z.boolean().default(false).describe("Treat the pattern as plain text, not a regular expression."),
  max_results: z.number().int().min(1).max(500).default(100).describe("Most matching lines (or files) to show."),
});

type Args = z.infer<typeof params>;

interface Hit {
  file: string;
  line: number;
  text: string;
}

export const searchTool = defineTool({
  name: "search",
  description:
    "Search the repository: inside files for a regular expression (mode content, the default; results grouped by file with line numbers) or for files by name (mode files). Respects .gitignore; skips .git.",
  params,
  async run(args, ctx) {
    const repoDir = ctx.workspace.repoDir;
    const abs = await resolveInWorkspace(repoDir, args.path ?? ".");
    const target = toWorkspaceRelative(repoDir, abs);
    return args.mode === "files" ? searchFiles(args, target, ctx) : searchContent(args, target, ctx);
  },
});

async function searchContent(args: Args, target: string, ctx: ToolContext): Promise<string> {
  const flags = [
    "--line-number",
    "--no-heading",
    "--with-filename",
    "--null",
    "--color=never",
    "--hidden",
    "--glob",
    "!.git",
    "--max-columns",
    String(MAX_LINE),
    "--max-columns-preview",
    "--max-filesize",
    "10M",
    "--no-messages",
  ];
  if (args.ignore_case) flags.push("--ignore-case");
  if (args.literal) flags.push("--fixed-strings");
  if (args.glob) flags.push("--glob", args.glob);
  const rg = await runRipgrep([...flags, "-e", args.pattern, "--", target], {
    cwd: ctx.workspace.repoDir,
    keepLines: KEEP,
    countLimit: COUNT_LIMIT,
    timeoutMs: TIMEOUT_MS,
    signal: ctx.signal,
  });
  let hits: Hit[];
  let total: number;
  let capped = false;
  let tool = "ripgrep";
  if (rg) {
    if (rg.exitCode === 2 && rg.lines.length === 0) throw new ToolError(patternError(args, rg.stderr));
    if (rg.timedOut)
      throw new ToolError(
        `The search took longer than ${TIMEOUT_MS / 1000} s and was stopped. Narrow it with path or glob.`,
      );
    hits = rg.lines.map(parseHit).filter((h) => h !== undefined);
    total = rg.totalLines;
    capped = rg.countCapped;
  } else {
    tool = "git grep";
    ({ hits, total } = await gitGrep(args, target, ctx));
  }
  const where = target === "." ? "the repository" : `\`${target}\``;
  const what = args.literal ? JSON.stringify(args.pattern) : `/${args.pattern}/${args.ignore_case ? "i" : ""}`;
  if (total === 0) {
    return `No matches for ${what} in ${where}${args.glob ? ` (files matching ${args.glob})` : ""}. Try ignore_case: true, a shorter pattern${args.literal ? "" : ", literal: true for text with special characters"}, or mode: "files" to look for file names.`;
  }
  hits.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  const shown = hits.slice(0, args.max_results);
  const files = new Set(hits.map((h) => h.file)).size;
  const totalText = capped ? `at least ${formatCount(total)}` : formatCount(total);
  const head =
    shown.length < total
      ? `${formatCount(shown.length)} of ${totalText} matching lines for ${what} in ${where} (${tool}); narrow with path, glob or a more specific pattern to see the rest:`
      : `${formatCount(total)} matching line${total === 1 ? "" : "s"} in ${formatCount(files)} file${files === 1 ? "" : "s"} for ${what} in ${where} (${tool}):`;
  const out = [head];
  let current = "";
  for (const h of shown) {
    if (h.file !== current) {
      out.push(h.file);
      current = h.file;
    }
    out.push(`  ${h.line}: ${clipLine(h.text.replace(/\r$/, ""), MAX_LINE)}`);
  }
  return out.join("\n");
}

/** rg: `path\0line:text`; git grep: `path\0line\0text`. */
function parseHit(raw: string): Hit | undefined {
  const nul = raw.indexOf("\0");
  if (nul <= 0) return undefined;
  const rest = raw.slice(nul + 1);
  const m = /^(\d+)[:\0]/.exec(rest);
  if (!m) return undefined;
  return { file: raw.slice(0, nul).replace(/^\.\//, ""), line: Number(m[1]), text: rest.slice(m[0].length) };
}

function patternError(args: Args, stderr: string): string {
  const msg = stderr.trim().split("\n").slice(0, 8).join("\n");
  const hint = args.literal
    ? ""
    : "\nTo search for the text as it is (brackets, parentheses, dots...), pass literal: true, or escape the special characters with a backslash.";
  return `The search pattern is not valid:\n${msg || "(no details)"}${hint}`;
}

async function gitGrep(args: Args, target: string, ctx: ToolContext): Promise<{ hits: Hit[]; total: number }> {
  // Pathspecs are alternatives, so a glob is folded into the path rather than added beside it.
  const pathspecs =
    args.glob && !args.glob.startsWith("!")
      ? [`:(glob)${target === "." ? "" : `${target}/`}**/${args.glob}`]
      : [target, ...(args.glob ? [`:(exclude,glob)**/${args.glob.slice(1)}`] : [])];
  const parts = [
    "git",
    "grep",
    "-n",
    "-I",
    "--null",
    "--untracked",
    "--no-color",
    args.ignore_case ? "-i" : "",
    args.literal ? "-F" : "-E",
    "-e",
    shellQuote(args.pattern),
    "--",
    ...pathspecs.map(shellQuote),
  ];
  const run = await ctx.runner.run({
    command: parts.filter(Boolean).join(" "),
    workspace: ctx.workspace,
    timeoutMs: TIMEOUT_MS,
    network: false,
    signal: ctx.signal,
    maxOutputBytes: 2 * 1024 * 1024,
  });
  if (run.exitCode !== 0 && run.exitCode !== 1) throw new ToolError(patternError(args, run.output));
  const lines = run.output.split("\n");
  const hits = lines.map(parseHit).filter((h) => h !== undefined);
  return { hits, total: hits.length };
}

async function searchFiles(args: Args, target: string, ctx: ToolContext): Promise<string> {
  let files: string[];
  let tool = "ripgrep";
  const rg = await runRipgrep(["--files", "--hidden", "--glob", "!.git", "--color=never", "--", target], {
    cwd: ctx.workspace.repoDir,
    keepLines: COUNT_LIMIT,
    countLimit: COUNT_LIMIT,
    timeoutMs: TIMEOUT_MS,
    signal: ctx.signal,
  });
  if (rg) files = rg.lines.filter(Boolean).map((f) => f.replace(/^\.\//, ""));
  else {
    tool = "git ls-files";
    const run = await ctx.runner.run({
      command: `git ls-files --cached --others --exclude-standard -- ${shellQuote(target)}`,
      workspace: ctx.workspace,
      timeoutMs: TIMEOUT_MS,
      network: false,
      signal: ctx.signal,
      maxOutputBytes: 8 * 1024 * 1024,
    });
    files = run.output.split("\n").filter((l) => l.trim() !== "");
  }
  const isGlob = /[*?[\]{}]/.test(args.pattern);
  let test: (file: string) => boolean;
  if (isGlob) {
    const isMatch = picomatch(args.pattern, {
      dot: true,
      basename: !args.pattern.includes("/"),
      nocase: args.ignore_case,
    });
    test = (f) => isMatch(f);
  } else {
    // Smart case: a pattern with capitals is matched as written.
    const sensitive = !args.ignore_case && args.pattern !== args.pattern.toLowerCase();
    const needle = sensitive ? args.pattern : args.pattern.toLowerCase();
    test = (f) => (sensitive ? f : f.toLowerCase()).includes(needle);
  }
  const matched = files.filter(test).sort();
  const where = target === "." ? "the repository" : `\`${target}\``;
  if (matched.length === 0) {
    return `No files ${isGlob ? "match" : "have a name containing"} ${JSON.stringify(args.pattern)} in ${where} (${formatCount(files.length)} files searched; .gitignore respected).${isGlob && !args.pattern.includes("**") && args.pattern.includes("/") ? ' For any depth use "**", e.g. "src/**/*.ts".' : ""}`;
  }
  const shown = matched.slice(0, args.max_results);
  const head =
    shown.length < matched.length
      ? `${formatCount(shown.length)} of ${formatCount(matched.length)} files matching ${JSON.stringify(args.pattern)} in ${where} (${tool}); narrow the pattern or path to see the rest:`
      : `${formatCount(matched.length)} file${matched.length === 1 ? "" : "s"} matching ${JSON.stringify(args.pattern)} in ${where} (${tool}):`;
  return [head, ...shown].join("\n");
}

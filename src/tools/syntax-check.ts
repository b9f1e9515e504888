// A fast syntax check after every edit, so the model sees breakage at once
// instead of three steps later in a test run: parse only, no type checking,
// no imports followed. Languages without a checker get nothing.
import path from "node:path";
import type { default as TS } from "typescript";
import { parseAllDocuments } from "yaml";
import type { CommandRunner, Workspace } from "../workspace/types.ts";
import { clipLine, splitLines } from "./text-file.ts";

export interface SyntaxProblem {
  line: number;
  column: number;
  message: string;
}

export interface SyntaxResult {
  language: string;
  problems: SyntaxProblem[];
}

/** Python is checked by the repository's own interpreter, so it runs through the sandbox. */
export interface PythonCheck {
  runner: CommandRunner;
  workspace: Workspace;
  signal?: AbortSignal;
}

const MAX_PROBLEMS_SHOWN = 5;
const TS_KINDS: Record<string, "TS" | "TSX" | "JS" | "JSX"> = {
  ".ts": "TS",
  ".mts": "TS",
  ".cts": "TS",
  ".tsx": "TSX",
  ".js": "JS",
  ".mjs": "JS",
  ".cjs": "JS",
  ".jsx": "JSX",
};
/** JSON files that are JSON-with-comments by convention (tsconfig, editor settings). */
const JSONC_NAME =
  /(^|\/)(tsconfig[^/]*\.json|jsconfig[^/]*\.json|[^/]*\.jsonc|\.vscode\/[^/]*\.json|devcontainer\.json|\.devcontainer\/[^/]*\.json|\.eslintrc\.json|\.swcrc|\.babelrc\.json|turbo\.json|biome\.json)$/;

let tsModule: Promise<typeof TS> | undefined;
function loadTypeScript(): Promise<typeof TS> {
  // Loaded lazily: it is large (~1 s to load on a busy machine), and only edits need it.
  tsModule ??= import("typescript").then((m) => m.default);
  return tsModule;
}

/** Start loading the parsers in the background, so the first edit of a job does not wait for them. */
export function preloadSyntaxCheckers(): void {
  loadTypeScript().catch(() => {
    tsModule = undefined; // the first check will try again and report what failed
  });
}

/**
 * Check one file's new content. `relPath` picks the language (and is what the
 * Python interpreter opens, relative to the repository). Undefined when the
 * language has no checker here.
 */
export async function checkSyntax(
  relPath: string,
  content: string,
  python?: PythonCheck,
): Promise<SyntaxResult | undefined> {
  const ext = path.extname(relPath).toLowerCase();
  const kind = TS_KINDS[ext];
  if (kind)
    return {
      language: kind.startsWith("T") ? "TypeScript" : "JavaScript",
      problems: await checkTypeScript(relPath, content, kind),
    };
  if (ext === ".json" || ext === ".jsonc" || JSONC_NAME.test(relPath)) {
    return {
      language: "JSON",
      problems: JSONC_NAME.test(relPath) ? await checkJsonc(relPath, content) : checkJson(content),
    };
  }
  if (ext === ".yml" || ext === ".yaml") return { language: "YAML", problems: checkYaml(content) };
  if ((ext === ".py" || ext === ".pyi") && python) return checkPython(relPath, python);
  return undefined;
}

/** The line appended to an edit's result: "syntax OK (TypeScript)" or the problems with line:col and the line itself. */
export function formatSyntaxResult(result: SyntaxResult | undefined, content: string): string {
  if (!result) return "";
  if (result.problems.length === 0) return `syntax OK (${result.language})`;
  const lines = splitLines(content);
  const n = result.problems.length;
  const out = [
    `SYNTAX ERROR${n > 1 ? "S" : ""} (${result.language}) — the file does not parse now; fix ${n > 1 ? "them" : "it"} next:`,
  ];
  for (const p of result.problems.slice(0, MAX_PROBLEMS_SHOWN)) {
    out.push(`  ${p.line}:${p.column}: ${p.message}`);
    const text = lines[p.line - 1];
    if (text !== undefined) out.push(`    ${p.line} | ${clipLine(text.trimEnd(), 200)}`);
  }
  if (n > MAX_PROBLEMS_SHOWN) out.push(`  … and ${n - MAX_PROBLEMS_SHOWN} more`);
  return out.join("\n");
}

interface WithParseDiagnostics {
  parseDiagnostics?: readonly TS.Diagnostic[];
}

async function checkTypeScript(
  relPath: string,
  content: string,
  kind: "TS" | "TSX" | "JS" | "JSX",
): Promise<SyntaxProblem[]> {
  const ts = await loadTypeScript();
  const sf = ts.createSourceFile(relPath, content, ts.ScriptTarget.Latest, false, ts.ScriptKind[kind]);
  // parseDiagnostics is the parser's own list (what `tsc` reports as syntax
  // errors). It is not in the public typings, so fall back to transpileModule
  // (the same diagnostics, ~5× slower) should a release drop it.
  let diags = (sf as unknown as WithParseDiagnostics).parseDiagnostics;
  if (!Array.isArray(diags)) {
    diags =
      ts.transpileModule(content, { fileName: relPath, reportDiagnostics: true, compilerOptions: { noResolve: true } })
        .diagnostics ?? [];
  }
  return diags.map((d) => {
    const pos = sf.getLineAndCharacterOfPosition(d.start ?? 0);
    return {
      line: pos.line + 1,
      column: pos.character + 1,
      message: ts.flattenDiagnosticMessageText(d.messageText, " "),
    };
  });
}

async function checkJsonc(relPath: string, content: string): Promise<SyntaxProblem[]> {
  const ts = await loadTypeScript();
  const sf = ts.parseJsonText(relPath, content);
  const diags = (sf as unknown as WithParseDiagnostics).parseDiagnostics ?? [];
  return diags.map((d) => {
    const pos = sf.getLineAndCharacterOfPosition(d.start ?? 0);
    return {
      line: pos.line + 1,
      column: pos.character + 1,
      message: ts.flattenDiagnosticMessageText(d.messageText, " "),
    };
  });
}

function checkJson(content: string): SyntaxProblem[] {
  if (content.trim() === "") return [{ line: 1, column: 1, message: "empty file is not valid JSON" }];
  try {
    JSON.parse(content);
    return [];
  } catch (err) {
    const message = (err as Error).message;
    const at = /\(line (\d+) column (\d+)\)/.exec(message);
    const position = /position (\d+)/.exec(message);
    let line = 1;
    let column = 1;
    if (at) {
      line = Number(at[1]);
      column = Number(at[2]);
    } else {
      const offset = position ? Number(position[1]) : content.length;
      const before = content.slice(0, offset).split("\n");
      line = before.length;
      column = (before[before.length - 1]?.length ?? 0) + 1;
    }
    return [
      { line, column, message: message.replace(/ in JSON at position \d+.*$/, "").replace(/^JSON\.parse: /, "") },
    ];
  }
}

function checkYaml(content: string): SyntaxProblem[] {
  const problems: SyntaxProblem[] = [];
  for (const doc of parseAllDocuments(content)) {
    for (const e of doc.errors) {
      const pos = e.linePos?.[0];
      const first = e.message.split("\n")[0] ?? e.message;
      problems.push({
        line: pos?.line ?? 1,
        column: pos?.col ?? 1,
        message: first.replace(/ at line \d+, column \d+:?$/, ""),
      });
    }
  }
  return problems;
}

// compile() parses like py_compile without writing a __pycache__/ into the
// repository (which would then show up in the diff).
const PYTHON_CHECK = `import sys
try:
    compile(open(sys.argv[1], "rb").read(), sys.argv[1], "exec", dont_inherit=True)
except SyntaxError as e:
    print("%s:%s:%s" % (e.lineno or 1, e.offset or 1, e.msg))
    sys.exit(1)
except ValueError as e:
    print("1:1:%s" % e)
    sys.exit(1)`;

async function checkPython(
  relPath: string,
  { runner, workspace, signal }: PythonCheck,
): Promise<SyntaxResult | undefined> {
  const run = await runner.run({
    command: `command -v python3 >/dev/null || exit 127; python3 -c ${shellQuote(PYTHON_CHECK)} ${shellQuote(relPath)}`,
    workspace,
    timeoutMs: 15_000,
    network: false,
    maxOutputBytes: 16 * 1024,
    ...(signal ? { signal } : {}),
  });
  if (run.killed || run.exitCode === 127) return undefined; // no interpreter, or it could not answer in time
  if (run.exitCode === 0) return { language: "Python", problems: [] };
  const m = /^(\d+):(\d+):(.*)$/m.exec(run.output);
  if (!m) return undefined;
  return { language: "Python", problems: [{ line: Number(m[1]), column: Number(m[2]), message: (m[3] ?? "").trim() }] };
}

export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

// An eval task (SWE-bench's shape, with files allowed in place of inline
// text): a repository at a commit, a problem statement the agent sees, and a
// hidden test patch it never sees, applied only after it finishes.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { UserError } from "../errors.ts";

const text = z.string().min(1);
const testIds = z.array(z.string().min(1)).optional();

export const taskLineSchema = z
  .object({
    id: z.string().regex(/^[\w.-]+$/, "letters, digits, . _ - only (it names files)"),
    /** A git URL, a local git repository, or a plain directory (made a repository at run time); relative to the tasks file. */
    repo: text,
    base_commit: text.optional(),
    problem_statement: text.optional(),
    problem_statement_file: text.optional(),
    /** Run before the agent starts, in the sandbox (its network per `setup_network`). A failure is the harness's (`setup_error`), not the agent's. */
    setup: text.optional(),
    /** Network for `setup`; unset, the app's own default (`setup_network` of .github/agent.yml: true). */
    setup_network: z.boolean().optional(),
    test_command: text,
    test_patch: text.optional(),
    test_patch_file: text.optional(),
    /** The known fix: `--reference` applies it through the agent's own tools. */
    reference_patch: text.optional(),
    reference_patch_file: text.optional(),
    /** Test names (node:test) or node ids (pytest) that must pass after the fix. */
    fail_to_pass: testIds,
    pass_to_pass: testIds,
    /** Packages copied from issuesmith's own node_modules into the clone before the agent starts (no network needed). */
    provide_node_modules: z.array(z.string().regex(/^(@[\w.-]+\/)?[\w.-]+$/, "an npm package name")).default([]),
    /** Free labels for reports: language, kind of change. */
    language: z.string().optional(),
    kind: z.string().optional(),
    /** Minutes of wall clock for the whole task (the repo config's default otherwise). */
    timeout_minutes: z.number().positive().optional(),
  })
  .strict()
  .refine((t) => (t.problem_statement === undefined) !== (t.problem_statement_file === undefined), {
    message: "give problem_statement or problem_statement_file (one of them)",
  })
  .refine((t) => (t.test_patch === undefined) !== (t.test_patch_file === undefined), {
    message: "give test_patch or test_patch_file (one of them)",
  })
  .refine((t) => !(t.reference_patch !== undefined && t.reference_patch_file !== undefined), {
    message: "give reference_patch or reference_patch_file, not both",
  });

export type TaskLine = z.infer<typeof taskLineSchema>;

/** A task with its files read and its paths resolved. */
export interface EvalTask {
  id: string;
  /** Absolute path, or a URL as given. */
  repo: string;
  baseCommit: string | undefined;
  problemStatement: string;
  setup: string | undefined;
  /** undefined: the app's default. */
  setupNetwork: boolean | undefined;
  testCommand: string;
  testPatch: string;
  referencePatch: string | undefined;
  failToPass: string[] | undefined;
  passToPass: string[] | undefined;
  provideNodeModules: string[];
  language: string | undefined;
  kind: string | undefined;
  timeoutMinutes: number | undefined;
}

const IS_URL = /^(https?|git|ssh|file):\/\/|^[\w.-]+@[\w.-]+:/;

/**
 * Read a tasks file (one JSON object per line; blank lines and lines starting
 * with # are skipped). Every problem is reported at once, each naming its line.
 */
export async function loadTasks(file: string): Promise<EvalTask[]> {
  let content: string;
  try {
    content = await readFile(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(
      `cannot read the tasks file ${file}${code === "ENOENT" ? ": no such file" : `: ${(err as Error).message}`}`,
    );
  }
  const dir = path.dirname(path.resolve(file));
  const problems: string[] = [];
  const tasks: EvalTask[] = [];
  const seen = new Set<string>();
  const lines = content.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line || line.startsWith("#")) continue;
    const where = `${path.basename(file)} line ${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      problems.push(`${where}: not JSON (${(err as Error).message})`);
      continue;
    }
    const parsed = taskLineSchema.safeParse(value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        problems.push(`${where}: ${issue.path.length ? `${issue.path.join(".")}: ` : ""}${issue.message}`);
      continue;
    }
    const t = parsed.data;
    if (seen.has(t.id)) {
      problems.push(`${where}: the id ${t.id} is used twice`);
      continue;
    }
    seen.add(t.id);
    try {
      tasks.push(await resolveTask(t, dir));
    } catch (err) {
      problems.push(`${where}: ${(err as Error).message}`);
    }
  }
  if (problems.length > 0)
    throw new UserError(
      problems.length === 1 ? problems[0]! : `${problems.length} problems in ${file}`,
      problems.length === 1 ? [] : problems,
    );
  if (tasks.length === 0) throw new UserError(`${file} holds no task`);
  return tasks;
}

async function resolveTask(t: TaskLine, dir: string): Promise<EvalTask> {
  const readRelative = async (field: string, rel: string | undefined): Promise<string | undefined> => {
    if (rel === undefined) return undefined;
    try {
      return await readFile(path.resolve(dir, rel), "utf8");
    } catch {
      throw new Error(`${field}: cannot read ${rel}`);
    }
  };
  return {
    id: t.id,
    repo: IS_URL.test(t.repo) ? t.repo : path.resolve(dir, t.repo),
    baseCommit: t.base_commit,
    problemStatement: (
      t.problem_statement ??
      (await readRelative("problem_statement_file", t.problem_statement_file)) ??
      ""
    ).trim(),
    setup: t.setup,
    setupNetwork: t.setup_network,
    testCommand: t.test_command,
    testPatch: t.test_patch ?? (await readRelative("test_patch_file", t.test_patch_file)) ?? "",
    referencePatch: t.reference_patch ?? (await readRelative("reference_patch_file", t.reference_patch_file)),
    failToPass: t.fail_to_pass,
    passToPass: t.pass_to_pass,
    provideNodeModules: t.provide_node_modules,
    language: t.language,
    kind: t.kind,
    timeoutMinutes: t.timeout_minutes,
  };
}

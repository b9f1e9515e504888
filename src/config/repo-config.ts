// `.github/agent.yml`: what a repository tells issuesmith. Validated with zod;
// every problem is collected and reported at once, never thrown as a crash.
import { parse as parseYaml } from "yaml";
import { z } from "zod";

export const PERMISSION_LEVELS = ["read", "triage", "write", "maintain", "admin"] as const;
export type PermissionLevel = (typeof PERMISSION_LEVELS)[number];

const command = z.string().trim().min(1).max(2_000);

/** Most attempts one fix job may make (`attempts:` and `--attempts`). */
export const MAX_ATTEMPTS = 5;

/** `--attempts <n>` as given on a command: the number, or why it is refused. */
export function parseAttemptsFlag(text: string): { ok: true; attempts: number } | { ok: false; message: string } {
  const n = /^\d{1,3}$/.test(text) ? Number(text) : NaN;
  if (Number.isInteger(n) && n >= 1 && n <= MAX_ATTEMPTS) return { ok: true, attempts: n };
  return {
    ok: false,
    message: `\`--attempts\` takes a whole number from 1 to ${MAX_ATTEMPTS} (each attempt is a whole run of the model), not \`${text.replace(/`/g, "'").slice(0, 40)}\`.`,
  };
}

export const budgetSchema = z
  .object({
    /** Model turns in the agent loop. */
    steps: z.number().int().min(1).max(1_000).default(60),
    /** Input + output tokens over the whole job. */
    tokens: z.number().int().min(1_000).default(3_000_000),
    /** US dollars over the whole job (price table per model). */
    cost_usd: z.number().min(0).default(5),
    /** Wall clock for the whole job, minutes. */
    wall_clock_minutes: z
      .number()
      .min(1)
      .max(24 * 60)
      .default(45),
    /** Per shell/test command, seconds. */
    command_timeout_seconds: z.number().int().min(1).max(3_600).default(120),
    /** The app's own test run, seconds. */
    test_timeout_seconds: z.number().int().min(1).max(7_200).default(900),
    /** Setup command timeout, seconds. */
    setup_timeout_seconds: z.number().int().min(1).max(3_600).default(900),
    /** Extra rounds after `finish` when the app's own test run fails. */
    test_rounds: z.number().int().min(0).max(10).default(2),
  })
  .strict();

export const repoConfigSchema = z
  .object({
    /** Label that starts a job on an issue. */
    label: z.string().trim().min(1).max(50).default("agent"),
    /** The command prefix in comments. */
    command: z
      .string()
      .trim()
      .regex(/^\/[A-Za-z][\w-]*$/, "must look like /agent")
      .default("/agent"),
    /** Minimum repository permission of the person who triggers. */
    permission: z.enum(PERMISSION_LEVELS).default("write"),
    /** Logins (and org/team slugs as "@org/team") allowed regardless of permission. */
    allowed_users: z.array(z.string().trim().min(1)).default([]),
    /** Installs dependencies before the agent runs; null disables detection. */
    setup: command.nullable().optional(),
    /** Whether setup may use the network (the agent phase never does). */
    setup_network: z.boolean().default(true),
    /** The command that decides "done"; detected when absent. */
    test: command.optional(),
    /** A lint command: the agent's `lint` tool runs it, and the app runs it after the tests and reports it beside them. */
    lint: command.optional(),
    /** A failing lint makes the PR a draft (otherwise it is only reported). */
    lint_blocks: z.boolean().default(false),
    /** The model to use, from the operator's allow-list (AGENT_MODELS); the operator's default when absent. */
    model: z.string().trim().min(1).max(200).optional(),
    /**
     * Independent attempts of a fix job, each in its own workspace; the app's own test run picks the PR
     * (run/fix/pick-winner.ts). Tokens and cost are one pool for all of them: the budget is the job's.
     */
    attempts: z
      .number()
      .int()
      .min(1)
      .max(MAX_ATTEMPTS, `at most ${MAX_ATTEMPTS} attempts (each is a whole run of the model)`)
      .default(1),
    /** Free text for the model: conventions, where things are. */
    notes: z.string().max(20_000).optional(),
    budget: budgetSchema.default(budgetSchema.parse({})),
    /** Globs the agent may not change. */
    protected_paths: z.array(z.string().min(1)).default([]),
    /** Allow changes under .github/workflows/. */
    allow_workflow_changes: z.boolean().default(false),
    branch_prefix: z
      .string()
      .regex(/^[A-Za-z0-9._\/-]*$/, "only letters, digits, . _ / -")
      .default("agent/"),
    /** Open PRs as drafts even when the tests pass. */
    draft: z.boolean().default(false),
    /** Turn a draft PR ready for review once its tests pass. */
    ready_when_green: z.boolean().default(true),
    /** Resolve the review threads a revision addressed. */
    resolve_threads: z.boolean().default(false),
    /** Fix failed check runs on the app's own PRs. */
    ci_fix: z.boolean().default(false),
    ci_fix_rounds: z.number().int().min(1).max(10).default(2),
    /** On a fork PR the app cannot push to: open a new PR, or reply with a patch. */
    fork_fallback: z.enum(["pull_request", "patch"]).default("pull_request"),
    /** Include comments by people without trigger permission in the model's context. */
    include_untrusted_comments: z.boolean().default(false),
    /** Names of environment variables passed to tests (opt-in, redacted). */
    secrets: z.array(z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "an environment variable name")).default([]),
    /** Clone only this many commits of history (huge histories); the mirror cache is not used then. */
    clone_depth: z.number().int().min(1).max(1_000_000).optional(),
    /** Clone without file contents of past commits (`--filter=blob:none`); fetched on demand by the app, never in the sandbox. */
    partial_clone: z.boolean().default(false),
    /** Largest file the agent may add, kilobytes. */
    max_file_kb: z.number().int().min(1).max(100_000).default(1_024),
  })
  .strict();

export type RepoConfig = z.infer<typeof repoConfigSchema>;
export type Budget = z.infer<typeof budgetSchema>;

export const DEFAULT_REPO_CONFIG: RepoConfig = repoConfigSchema.parse({});

export interface RepoConfigResult {
  /** The valid config, or the defaults when the file had errors. */
  config: RepoConfig;
  /** Every problem, one line each, naming the field: empty when valid. */
  errors: string[];
}

/**
 * Why a parsed YAML document cannot be a config, or undefined when it is a
 * mapping. YAML tags make more than lists and scalars: `!!binary` gives bytes,
 * `!!set` and `!!omap` a Set and a Map.
 */
export function mappingProblem(value: unknown): string | undefined {
  if (value !== null && typeof value === "object" && [Object.prototype, null].includes(Object.getPrototypeOf(value)))
    return undefined;
  const kind = Array.isArray(value)
    ? "a list"
    : value instanceof Uint8Array
      ? "binary data"
      : value instanceof Set
        ? "a set"
        : value instanceof Map
          ? "an ordered map"
          : value === null
            ? "empty"
            : typeof value === "object"
              ? `a ${(value as object).constructor?.name ?? "value"}`
              : `a ${typeof value}`;
  return `the file must be a YAML mapping (key: value), not ${kind}`;
}

/** Validate an already-parsed value (what Probot's context.config returns). */
export function parseRepoConfig(value: unknown): RepoConfigResult {
  if (value === null || value === undefined) return { config: DEFAULT_REPO_CONFIG, errors: [] };
  const problem = mappingProblem(value);
  if (problem) return { config: DEFAULT_REPO_CONFIG, errors: [problem] };
  const result = repoConfigSchema.safeParse(value);
  if (result.success) return { config: result.data, errors: [] };
  return {
    config: DEFAULT_REPO_CONFIG,
    errors: result.error.issues.map((issue) => {
      const where = issue.path.length ? issue.path.map(keyText).join(".") : "(top level)";
      if (issue.code === "unrecognized_keys") {
        return `${where}: unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `\`${keyText(k)}\``).join(", ")}`;
      }
      return `${where}: ${issue.message}`;
    }),
  };
}

/**
 * A key as an error line shows it: on one line, and not too long. YAML keys
 * can be whole collections (`? {a: 1}`), which arrive stringified over lines.
 */
function keyText(key: PropertyKey): string {
  const text = String(key).replace(/\s*[\r\n]+\s*/g, " ");
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Parse YAML text (the CLI reads the file itself). */
export function parseRepoConfigText(text: string): RepoConfigResult {
  let value: unknown;
  try {
    // logLevel "error": no process warnings on stderr for odd tags (Probot's loader parses the same way).
    value = parseYaml(text, { prettyErrors: true, logLevel: "error" });
  } catch (err) {
    return { config: DEFAULT_REPO_CONFIG, errors: [`not valid YAML: ${(err as Error).message.split("\n")[0]}`] };
  }
  return parseRepoConfig(value);
}

const RANK: Record<PermissionLevel, number> = { read: 0, triage: 1, write: 2, maintain: 3, admin: 4 };

export function permissionAtLeast(actual: string | undefined, needed: PermissionLevel): boolean {
  if (!actual) return false;
  const rank = RANK[actual as PermissionLevel];
  return rank !== undefined && rank >= RANK[needed];
}

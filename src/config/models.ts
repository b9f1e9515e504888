// The operator's allow-list of models (AGENT_MODELS), from which a repository
// (`model:` in .github/agent.yml) or a command (`/agent fix --model <name>`)
// may choose. Each entry may name its own endpoint, key, prices and window;
// what it leaves out comes from the default model's settings. AGENT_MODEL is
// always on the list. Parsed once with the rest of the environment.
import { z } from "zod";

const entrySchema = z.strictObject({
  base_url: z.url().optional(),
  /** The name of the environment variable that holds this endpoint's key (keys stay out of this JSON). */
  api_key_env: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]*$/, "an environment variable name")
    .optional(),
  context_window: z.number().int().min(1_000).optional(),
  max_output_tokens: z.number().int().min(64).optional(),
  /** USD per million tokens. */
  input: z.number().min(0).optional(),
  output: z.number().min(0).optional(),
});

export interface ModelChoice {
  name: string;
  baseUrl: string;
  apiKey: string | undefined;
  contextWindow: number;
  maxOutputTokens: number;
  price: { input: number; output: number } | undefined;
}

export const MODELS_EXAMPLE =
  '{"gpt-4.1":{},"qwen2.5-coder":{"base_url":"http://127.0.0.1:8000/v1","context_window":32768,"input":0,"output":0},"azure-gpt":{"base_url":"https://x.openai.azure.com/openai/deployments/gpt","api_key_env":"AZURE_OPENAI_KEY"}}';

interface Defaults {
  name: string | undefined;
  baseUrl: string;
  apiKey: string | undefined;
  contextWindow: number;
  maxOutputTokens: number;
}

/** The allowed models by name (the default one first); a wrong value adds problem lines naming what is wrong. */
export function parseModels(
  raw: string | undefined,
  defaults: Defaults,
  source: NodeJS.ProcessEnv,
  problems: string[],
): Map<string, ModelChoice> {
  const choices = new Map<string, ModelChoice>();
  const base = (name: string): ModelChoice => ({
    name,
    baseUrl: defaults.baseUrl,
    apiKey: defaults.apiKey,
    contextWindow: defaults.contextWindow,
    maxOutputTokens: defaults.maxOutputTokens,
    price: undefined,
  });
  if (defaults.name) choices.set(defaults.name, base(defaults.name));
  if (raw === undefined) return choices;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    problems.push(`AGENT_MODELS: not valid JSON; expected e.g. ${MODELS_EXAMPLE}`);
    return choices;
  }
  const parsed = z.record(z.string().trim().min(1).max(200), entrySchema).safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    problems.push(
      `AGENT_MODELS: ${issue?.path.join(".") || "(top)"}: ${issue?.message ?? "invalid"}; expected e.g. ${MODELS_EXAMPLE}`,
    );
    return choices;
  }
  for (const [name, e] of Object.entries(parsed.data)) {
    const key = e.api_key_env === undefined ? defaults.apiKey : source[e.api_key_env];
    if (e.api_key_env !== undefined && !key)
      problems.push(`AGENT_MODELS: ${name}.api_key_env: the variable ${e.api_key_env} is not set`);
    if ((e.input === undefined) !== (e.output === undefined))
      problems.push(`AGENT_MODELS: ${name}: give both input and output prices, or neither`);
    choices.set(name, {
      ...base(name),
      ...(e.base_url !== undefined ? { baseUrl: e.base_url } : {}),
      apiKey: key,
      ...(e.context_window !== undefined ? { contextWindow: e.context_window } : {}),
      ...(e.max_output_tokens !== undefined ? { maxOutputTokens: e.max_output_tokens } : {}),
      price: e.input !== undefined && e.output !== undefined ? { input: e.input, output: e.output } : undefined,
    });
  }
  return choices;
}

/** The model a job runs on: the command's choice, else the repository's, else the operator's default. */
export function chooseModel(
  choices: ReadonlyMap<string, ModelChoice>,
  wanted: { command?: string | undefined; repo?: string | undefined },
  defaultName: string | undefined,
): { ok: true; model: ModelChoice } | { ok: false; message: string } {
  const name = wanted.command ?? wanted.repo ?? defaultName;
  const from =
    wanted.command !== undefined
      ? "--model"
      : wanted.repo !== undefined
        ? "`model:` in .github/agent.yml"
        : "AGENT_MODEL";
  if (!name) return { ok: false, message: "No model is configured: the operator must set AGENT_MODEL." };
  const model = choices.get(name);
  if (model) return { ok: true, model };
  const listed = [...choices.keys()].map((n) => `\`${n}\``).join(", ");
  return {
    ok: false,
    message: `The model \`${name}\` (from ${from}) is not one this app may use. Allowed: ${listed || "(none)"}.`,
  };
}

// The doctor's model check: one tiny chat completion per allowed model, through
// the same client the jobs use, so an Azure deployment, a wrong key or a model
// the endpoint does not serve shows here as it would in a job (a GET /models
// proved only that something answered, and Azure has no such route per deployment).
import type { AppEnv } from "../config/env.ts";
import type { ModelChoice } from "../config/models.ts";
import { errorMessage } from "../errors.ts";
import { chatModelOptions, OpenAIChatModel } from "../llm/chat-model.ts";

export interface ModelCheck {
  name: string;
  ok: boolean;
  detail: string;
}

/** How long one probe may take: a cold local model loads its weights on the first request. */
const PROBE_TIMEOUT_MS = 30_000;

export async function modelChecks(env: AppEnv): Promise<ModelCheck[]> {
  if (!env.model.name) return [{ name: "model", ok: false, detail: "AGENT_MODEL is not set" }];
  const base = chatModelOptions(env);
  const checks: ModelCheck[] = [];
  for (const choice of env.model.choices.values()) checks.push(await probe(base, choice));
  return checks;
}

async function probe(base: ReturnType<typeof chatModelOptions>, choice: ModelChoice): Promise<ModelCheck> {
  const model = new OpenAIChatModel({
    ...base,
    model: choice.name,
    baseUrl: choice.baseUrl,
    apiKey: choice.apiKey,
    // One try, no retries: the operator wants the endpoint's answer now, not after a backoff.
    retries: 0,
    timeoutMs: Math.min(base.timeoutMs, PROBE_TIMEOUT_MS),
    maxOutputTokens: choice.maxOutputTokens,
  });
  const where = `${choice.name} at ${choice.baseUrl}`;
  try {
    const answer = await model.complete({
      messages: [{ role: "user", content: "Reply with the single word OK." }],
      tools: [],
      maxOutputTokens: 16,
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    return {
      name: "model",
      ok: true,
      detail: `${where}: answered in ${answer.latencyMs} ms (the endpoint reports model \`${answer.model}\`)`,
    };
  } catch (err) {
    return { name: "model", ok: false, detail: `${where}: ${errorMessage(err)}` };
  }
}

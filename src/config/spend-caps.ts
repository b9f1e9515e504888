// Operator spend caps beyond one job (AGENT_SPEND_CAPS): cost and job counts
// per installation and per repository, per UTC day and month. Parsed once
// with the rest of the environment.
import { z } from "zod";

const limitSchema = z.strictObject({
  usd: z.number().positive().optional(),
  jobs: z.number().int().positive().optional(),
});
const windowsSchema = z.strictObject({ day: limitSchema.optional(), month: limitSchema.optional() });
export const spendCapsSchema = z.strictObject({
  installation: windowsSchema.optional(),
  repository: windowsSchema.optional(),
});

export type SpendCaps = z.infer<typeof spendCapsSchema>;
export type CapScope = keyof SpendCaps;
export type CapWindow = "day" | "month";

export const SPEND_CAPS_EXAMPLE =
  '{"installation":{"day":{"usd":20,"jobs":100},"month":{"usd":300}},"repository":{"day":{"jobs":30}}}';

/** The caps in `raw`, or none when unset; a wrong value adds one problem line naming what is wrong. */
export function parseSpendCaps(raw: string | undefined, problems: string[]): SpendCaps {
  if (raw === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    problems.push(`AGENT_SPEND_CAPS: not valid JSON; expected e.g. ${SPEND_CAPS_EXAMPLE}`);
    return {};
  }
  const parsed = spendCapsSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  problems.push(
    `AGENT_SPEND_CAPS: ${issue?.path.join(".") || "(top)"}: ${issue?.message ?? "invalid"}; expected e.g. ${SPEND_CAPS_EXAMPLE}`,
  );
  return {};
}

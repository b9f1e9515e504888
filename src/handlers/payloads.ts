// The fields of each webhook payload we rely on, checked before use: a
// malformed delivery (signed, but not the shape GitHub sends) is ignored with
// a warning instead of throwing inside the webhook middleware.
import { z } from "zod";

const sender = z.object({ login: z.string().min(1), type: z.string().optional() });
const repository = z.object({ name: z.string().min(1), owner: z.object({ login: z.string().min(1) }) });
const installation = z.object({ id: z.number().int().positive() });

export const labeledSchema = z.object({
  installation,
  repository,
  sender,
  label: z.object({ name: z.string() }),
  issue: z.object({ number: z.number().int().positive() }),
});

export const issueCommentSchema = z.object({
  installation,
  repository,
  sender,
  issue: z.object({ number: z.number().int().positive(), pull_request: z.unknown().optional() }),
  comment: z.object({ id: z.number().int().positive(), body: z.string().nullable() }),
});

export const reviewSchema = z.object({
  installation,
  repository,
  sender,
  pull_request: z.object({ number: z.number().int().positive(), user: z.object({ login: z.string() }).nullable().optional() }),
  review: z.object({ id: z.number().int().positive(), body: z.string().nullable(), state: z.string() }),
});

export const reviewCommentSchema = z.object({
  installation,
  repository,
  sender,
  pull_request: z.object({ number: z.number().int().positive() }),
  comment: z.object({ id: z.number().int().positive(), body: z.string().nullable() }),
});

export function parsePayload<T extends z.ZodType>(schema: T, payload: unknown): z.infer<T> | undefined {
  const r = schema.safeParse(payload);
  return r.success ? r.data : undefined;
}

// The fields of each webhook payload we rely on, checked before use: a
// malformed delivery (signed, but not the shape GitHub sends) is ignored with
// a warning instead of throwing inside the webhook middleware.
import { z } from "zod";

// Logins and repository names go into API paths (and replies): only the
// characters GitHub allows in them. A lone surrogate, for one, made building
// the request URL throw, and the delivery was answered 500.
const login = z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,99})(?:\[bot\])?$/, "a GitHub login");
const sender = z.object({ login, type: z.string().optional() });
export const repositorySchema = z.object({
  name: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, "a repository name"),
  owner: z.object({ login }),
});
export const installationSchema = z.object({ id: z.number().int().positive() });
const repository = repositorySchema;
const installation = installationSchema;

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
  issue: z.object({
    number: z.number().int().positive(),
    pull_request: z.unknown().optional(),
    state: z.string().optional(),
  }),
  comment: z.object({ id: z.number().int().positive(), body: z.string().nullable() }),
});

export const reviewSchema = z.object({
  installation,
  repository,
  sender,
  pull_request: z.object({
    number: z.number().int().positive(),
    user: z.object({ login: z.string() }).nullable().optional(),
    state: z.string().optional(),
  }),
  review: z.object({ id: z.number().int().positive(), body: z.string().nullable(), state: z.string() }),
});

export const reviewCommentSchema = z.object({
  installation,
  repository,
  sender,
  pull_request: z.object({ number: z.number().int().positive(), state: z.string().optional() }),
  comment: z.object({ id: z.number().int().positive(), body: z.string().nullable() }),
});

export function parsePayload<T extends z.ZodType>(schema: T, payload: unknown): z.infer<T> | undefined {
  const r = schema.safeParse(payload);
  return r.success ? r.data : undefined;
}

export const issueClosedSchema = z.object({
  installation,
  repository,
  issue: z.object({ number: z.number().int().positive(), pull_request: z.unknown().optional() }),
});

export const unlabeledSchema = z.object({
  installation,
  repository,
  label: z.object({ name: z.string() }),
  issue: z.object({ number: z.number().int().positive(), pull_request: z.unknown().optional() }),
});

export const pullClosedSchema = z.object({
  installation,
  repository,
  pull_request: z.object({
    number: z.number().int().positive(),
    merged: z.boolean().nullable().optional(),
    user: z.object({ login: z.string() }).nullable().optional(),
    head: z.object({ ref: z.string() }),
  }),
});

// Exactly one of each thing the app creates on GitHub (ARCHITECTURE.md §3):
// a create whose answer is lost (a 5xx or a dropped connection after GitHub
// made the object, as happens under load) is not blindly sent again. The
// object is looked for first; only when it is not there is it made again.
// Rate limits are different: GitHub refuses the request before doing
// anything, so the throttling plugin's replay of them is safe and stays on.
import { Transient } from "../errors.ts";
import { statusOf } from "./octokit.ts";

/** Per-request options that switch off the retry plugin's blind replay of a failed create. */
export const NO_BLIND_RETRY = { request: { retries: 0 } } as const;

export interface CreateOnceOptions {
  /** Tries of the create in all (default 4). */
  attempts?: number;
  /** Wait before looking again, doubled each time (default 1 s). */
  backoffMs?: number;
  /** Answers that may hide a made object; default: 5xx and no answer at all. */
  lost?: (err: unknown) => boolean;
}

/** An answer that says nothing about whether GitHub made the object. */
export function answerLost(err: unknown): boolean {
  const status = statusOf(err);
  return status === undefined || status >= 500;
}

/**
 * `find` before the first create and after every lost answer; `create`
 * must send its request with NO_BLIND_RETRY. When the answers stay lost,
 * ends with a Transient naming `what`, so the job is retried (and finds it then).
 */
export async function createOnce<T>(
  what: string,
  find: () => Promise<T | undefined>,
  create: () => Promise<T>,
  options: CreateOnceOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 4;
  const backoffMs = options.backoffMs ?? 1_000;
  const lost = options.lost ?? answerLost;
  let last: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const found = await find();
    if (found !== undefined) return found;
    try {
      return await create();
    } catch (err) {
      if (!lost(err)) throw err;
      last = err;
      await new Promise((resolve) => setTimeout(resolve, backoffMs * 2 ** attempt));
    }
  }
  const found = await find();
  if (found !== undefined) return found;
  throw new Transient(
    `GitHub did not answer when creating the ${what} (${attempts} tries): ${last instanceof Error ? last.message : String(last)}`,
    { cause: last },
  );
}

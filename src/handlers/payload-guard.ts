// Probot makes a context (and an installation octokit) from a signed delivery
// before any handler of ours runs. A body that is not a JSON object, or whose
// installation id is not a positive integer, makes that step throw, and the
// delivery was answered 500. GitHub never signs such a body, but anyone
// holding the secret can: it is answered 400 here instead, and nothing runs.
import type { Logger } from "pino";

interface StringDelivery {
  id: string;
  name: string;
  payload: string;
  signature: string;
}

/** The part of @octokit/webhooks' Webhooks this needs (Probot's `app.webhooks`). */
export interface VerifyingReceiver {
  verify(payload: string, signature: string): Promise<boolean>;
  verifyAndReceive(event: StringDelivery): Promise<void>;
}

/** Why a signed body cannot be a delivery, or undefined when it can (bodies that are not JSON are refused downstream). */
export function malformedDelivery(name: string, payload: string): string | undefined {
  if (!name) return "no event name";
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return "the payload is not a JSON object";
  const installation = (value as { installation?: unknown }).installation;
  if (installation === undefined || installation === null) return undefined;
  const id = typeof installation === "object" ? (installation as { id?: unknown }).id : undefined;
  if (!Number.isSafeInteger(id) || (id as number) <= 0) return "installation.id is not a positive integer";
  return undefined;
}

/** Wraps `webhooks.verifyAndReceive` (which Probot's middleware calls per delivery) to refuse malformed signed bodies with 400. */
export function refuseMalformedDeliveries(webhooks: VerifyingReceiver, log: Pick<Logger, "warn">): void {
  const receive = webhooks.verifyAndReceive;
  webhooks.verifyAndReceive = async (event) => {
    const problem = malformedDelivery(event.name, event.payload);
    // Only a signed body earns an answer about its shape; the rest fails verification as before.
    if (problem && (await webhooks.verify(event.payload, event.signature).catch(() => false))) {
      log.warn({ event: event.name, delivery: event.id, problem }, "refused a malformed webhook payload");
      const error = Object.assign(new Error(`malformed payload: ${problem}`), { status: 400 });
      throw new AggregateError([error], error.message);
    }
    return receive(event);
  };
}

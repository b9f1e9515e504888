// What a failed model call means, decided in one place (ARCHITECTURE.md §5.3):
// worth another try (5xx, 429 without a spent quota, timeouts, cut streams),
// a parameter the model family refuses (learnt, then the call is reshaped),
// tools the endpoint does not take (the text protocol), the context window,
// or a refusal to report at once (key, model, any other 400) with the
// provider's own words.
import OpenAI from "openai";
import { Cancelled } from "../errors.ts";

/** Parameters a provider may refuse that the client knows how to do without. */
export type OptionalParam =
  "max_tokens" | "max_completion_tokens" | "temperature" | "stream_options" | "parallel_tool_calls";

export type ModelFailure =
  | { kind: "cancelled"; error: Error }
  | { kind: "transient"; status: number | undefined; retryAfterMs: number | undefined; message: string }
  | { kind: "auth"; status: number; message: string }
  | { kind: "not_found"; status: number; message: string }
  | { kind: "unsupported_param"; param: OptionalParam; message: string }
  | { kind: "tools_unsupported"; status: number; message: string }
  | { kind: "context_length"; status: number; message: string; window: number | undefined }
  | { kind: "refused"; status: number; message: string };

/** A model call given up on by its watchdog (stream.ts): the endpoint sent nothing for too long. */
export class StreamStalled extends Error {
  constructor(ms: number) {
    super(`the model endpoint sent nothing for ${Math.round(ms / 1000)} s (AGENT_MODEL_IDLE_S)`);
    this.name = "StreamStalled";
  }
}

const TOOLS_UNSUPPORTED = [
  /does not support tools/i, // Ollama
  /tools? (?:is|are) not supported/i,
  /tool[ _]?(?:use|calling|calls?|choice) (?:is )?not (?:supported|enabled)/i,
  /not support(?:ed)? (?:for )?(?:tools|tool calls|function calling)/i,
  /enable-auto-tool-choice/i, // vLLM without --enable-auto-tool-choice
  /tools param requires --jinja/i, // llama.cpp server
  /unrecognized request arguments? supplied:.*\btools\b/i,
];

const CONTEXT_LENGTH = [
  /context_length_exceeded/i,
  /maximum context length/i,
  /context (?:window|length) (?:exceeded|is too)/i,
  /exceeds? (?:the )?context/i,
  /prompt is too long/i,
];

export function classifyModelError(err: unknown, signal?: AbortSignal): ModelFailure {
  if (signal?.aborted) {
    const reason: unknown = signal.reason;
    return { kind: "cancelled", error: reason instanceof Error ? reason : new Cancelled() };
  }
  if (err instanceof Cancelled) return { kind: "cancelled", error: err };
  if (err instanceof StreamStalled)
    return { kind: "transient", status: undefined, retryAfterMs: undefined, message: err.message };
  if (err instanceof OpenAI.APIUserAbortError) return { kind: "cancelled", error: new Cancelled() };
  if (err instanceof OpenAI.APIConnectionTimeoutError)
    return {
      kind: "transient",
      status: undefined,
      retryAfterMs: undefined,
      message: "no answer before the timeout (AGENT_MODEL_TIMEOUT_S)",
    };
  if (err instanceof OpenAI.APIConnectionError)
    return {
      kind: "transient",
      status: undefined,
      retryAfterMs: undefined,
      message: `unreachable (${causeText(err)})`,
    };
  if (err instanceof OpenAI.APIError && err.status !== undefined) return classifyStatus(err);
  // The SDK raises plain errors for a stream cut midway ("terminated", a reset socket) or a garbled event.
  if (
    err instanceof Error &&
    /terminated|ECONNRESET|socket|premature close|aborted|Unexpected end of JSON|other side closed/i.test(
      `${err.message} ${causeText(err)}`,
    )
  ) {
    return {
      kind: "transient",
      status: undefined,
      retryAfterMs: undefined,
      message: `the stream was cut (${err.message})`,
    };
  }
  throw err instanceof Error ? err : new Error(String(err));
}

function classifyStatus(err: InstanceType<typeof OpenAI.APIError>): ModelFailure {
  const status = err.status ?? 0;
  const message = providerMessage(err);
  const code = typeof err.code === "string" ? err.code : "";
  const text = `${code} ${err.type ?? ""} ${message}`;
  if (CONTEXT_LENGTH.some((r) => r.test(text)) && (status === 400 || status === 413 || status === 422)) {
    return { kind: "context_length", status, message, window: windowFrom(message) };
  }
  // A spent quota is a 429 that no wait will cure.
  if (status === 429 && /insufficient_quota|exceeded your current quota|billing/i.test(text))
    return { kind: "refused", status, message };
  if (status === 429 || status === 408 || status === 409 || status >= 500) {
    if (status >= 500 && TOOLS_UNSUPPORTED.some((r) => r.test(message)))
      return { kind: "tools_unsupported", status, message };
    return { kind: "transient", status, retryAfterMs: retryAfterMs(err.headers), message };
  }
  if (status === 401 || status === 403) return { kind: "auth", status, message };
  if (
    TOOLS_UNSUPPORTED.some((r) => r.test(message)) ||
    (err.param === "tools" && /unsupported|not supported|unrecognized|unknown/i.test(text))
  ) {
    return { kind: "tools_unsupported", status, message };
  }
  const param = refusedParam(err, message);
  if (param && (status === 400 || status === 422)) return { kind: "unsupported_param", param, message };
  if (status === 404) return { kind: "not_found", status, message };
  return { kind: "refused", status, message };
}

/** Which of the optional parameters a 400 names as refused, if any. */
function refusedParam(err: InstanceType<typeof OpenAI.APIError>, message: string): OptionalParam | undefined {
  const candidates: OptionalParam[] = [
    "max_completion_tokens",
    "max_tokens",
    "temperature",
    "stream_options",
    "parallel_tool_calls",
  ];
  const named = typeof err.param === "string" ? err.param : undefined;
  const refusal =
    /unsupported|not supported|unrecognized|unknown|extra (?:inputs|fields)|not permitted|does not support|only the default/i;
  if (!refusal.test(`${typeof err.code === "string" ? err.code : ""} ${message}`)) return undefined;
  if (named && (candidates as string[]).includes(named)) return named as OptionalParam;
  // The refused one is named first ("'max_tokens' is not supported … Use 'max_completion_tokens' instead").
  const mentioned = candidates
    .map((p) => ({ p, at: message.search(new RegExp(`\\b${p}\\b`)) }))
    .filter((c) => c.at >= 0)
    .sort((a, b) => a.at - b.at);
  return mentioned[0]?.p;
}

/** The provider's own message: OpenAI's `error.message`, Azure's, or the SDK's text. */
function providerMessage(err: InstanceType<typeof OpenAI.APIError>): string {
  const body = err.error as { message?: unknown } | undefined;
  if (body && typeof body.message === "string" && body.message.trim()) return body.message.trim();
  return err.message.replace(/^\d{3}\s+/, "").trim() || `HTTP ${err.status ?? "error"}`;
}

/** `retry-after-ms` (OpenAI), `retry-after` in seconds or as a date. */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  const ms = headers?.get("retry-after-ms");
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const after = headers?.get("retry-after");
  if (!after) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(after)) return Math.max(0, Number(after) * 1000);
  const at = Date.parse(after);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** "This model's maximum context length is 128000 tokens" → 128000. */
function windowFrom(message: string): number | undefined {
  const m =
    /maximum context length is (\d[\d,]*)/i.exec(message) ??
    /context (?:window|length)[^\d]{0,20}(\d[\d,]*)/i.exec(message);
  return m?.[1] ? Number(m[1].replace(/,/g, "")) : undefined;
}

function causeText(err: Error): string {
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === "string" ? `${code}: ${cause.message}` : cause.message;
  }
  return err.message;
}

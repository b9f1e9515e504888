// One redactor for every boundary where text leaves the process: logs,
// GitHub comments and PR bodies, tool output shown to the model, trajectories.
// It removes every secret value it was told about, in the forms code that saw
// it would use to carry it out (secret-forms.ts) and split across lines, plus
// anything shaped like a well-known token, whoever produced it.
import { secretForms } from "./secret-forms.ts";

const REPLACEMENT = "[REDACTED]";

/** Token shapes worth hiding even when we were never told the value. */
const TOKEN_PATTERNS: RegExp[] = [
  /\bgh[opsuar]_[A-Za-z0-9_]{20,255}\b/g, // GitHub tokens (installation ghs_, OAuth gho_, PAT ghp_, ...)
  /\bgithub_pat_[A-Za-z0-9_]{22,255}\b/g, // fine-grained PATs
  /\bv1\.[0-9a-f]{40}\b/g, // legacy installation tokens
  /\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}\b/g, // OpenAI / Anthropic style keys
  /\bxox[baprs]-[A-Za-z0-9-]{10,}\b/g, // Slack
  /\bAKIA[0-9A-Z]{16}\b/g, // AWS access key id
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  /\b(?:Authorization|authorization):\s*(?:Bearer|Basic|token)\s+[A-Za-z0-9+/=._-]{8,}/g,
];

/** Values shorter than this are too likely to occur by chance to be hidden. */
const MIN_SECRET_LENGTH = 6;

export class Redactor {
  /** The values as told, from which every form is derived. */
  #values = new Set<string>();
  #exact = new Set<string>();
  #caseless = new Set<string>();
  #patterns: { exact: RegExp | undefined; caseless: RegExp | undefined; joined: RegExp | undefined } | undefined;

  constructor(secrets: Iterable<string | undefined> = []) {
    for (const s of secrets) this.add(s);
  }

  /** Remember a secret value, with its encoded forms and the base64 Basic credentials git would send. */
  add(secret: string | undefined): this {
    if (!secret || secret.length < MIN_SECRET_LENGTH || this.#values.has(secret)) return this;
    this.#values.add(secret);
    this.#remember(secret);
    this.#exact.add(Buffer.from(`x-access-token:${secret}`).toString("base64"));
    // A multi-line secret (a PEM key) also leaks line by line, or JSON-escaped.
    if (secret.includes("\n")) {
      this.#exact.add(secret.replace(/\n/g, "\\n"));
      for (const line of secret.split("\n")) {
        if (line.trim().length >= 16 && !line.startsWith("-----")) this.#remember(line.trim());
      }
    }
    this.#patterns = undefined;
    return this;
  }

  #remember(value: string): void {
    const forms = secretForms(value);
    for (const f of forms.exact) this.#exact.add(f);
    for (const f of forms.caseless) this.#caseless.add(f.toLowerCase());
  }

  /** A redactor that knows everything this one knows, plus more; this one is unchanged. */
  child(secrets: Iterable<string | undefined> = []): Redactor {
    const r = new Redactor(this.#values);
    for (const s of secrets) r.add(s);
    return r;
  }

  /** How many values (and encoded forms of them) are hidden. */
  get size(): number {
    return this.#exact.size + this.#caseless.size;
  }

  redact(text: string): string {
    if (!text) return text;
    let out = text;
    if (this.#values.size > 0) {
      const p = (this.#patterns ??= this.#compile());
      if (p.exact) out = out.replace(p.exact, REPLACEMENT);
      if (p.caseless) out = out.replace(p.caseless, REPLACEMENT);
      if (p.joined) out = redactJoined(out, p.joined);
    }
    for (const p of TOKEN_PATTERNS) out = out.replace(p, REPLACEMENT);
    return out;
  }

  #compile(): { exact: RegExp | undefined; caseless: RegExp | undefined; joined: RegExp | undefined } {
    const exact = [...this.#exact];
    const caseless = [...this.#caseless];
    // Split across lines (a wrapped base64, a value printed in pieces): the same forms with whitespace taken out.
    const joined = [
      ...new Set(
        [...exact, ...caseless].map((f) => f.replace(/\s+/g, "")).filter((f) => f.length >= MIN_SECRET_LENGTH),
      ),
    ];
    return { exact: alternation(exact, "g"), caseless: alternation(caseless, "gi"), joined: alternation(joined, "gi") };
  }

  /** Redact every string inside a JSON-like value. */
  redactDeep<T>(value: T): T {
    if (typeof value === "string") return this.redact(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.redactDeep(v)) as T;
    if (value && typeof value === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.redactDeep(v);
      return out as T;
    }
    return value;
  }
}

function alternation(values: string[], flags: string): RegExp | undefined {
  if (values.length === 0) return undefined;
  return new RegExp(
    values
      .sort((a, b) => b.length - a.length)
      .map(escapeRegExp)
      .join("|"),
    flags,
  );
}

/**
 * Finds the forms in the text with its whitespace taken out and hides the
 * original span of each, line breaks and all. Case is ignored here, so a
 * coincidence is possible but only ever hides more, never less.
 */
function redactJoined(text: string, pattern: RegExp): string {
  if (!/\s/.test(text)) return text; // the plain pass saw this text as it is
  const positions: number[] = [];
  let joined = "";
  for (const m of text.matchAll(/\S+/g)) {
    joined += m[0];
    for (let k = 0; k < m[0].length; k++) positions.push(m.index + k);
  }
  const spans: Array<[number, number]> = [];
  for (const m of joined.matchAll(pattern)) {
    const from = positions[m.index]!;
    const to = positions[m.index + m[0].length - 1]! + 1;
    // Found by the plain pass already unless it crosses whitespace.
    if (/\s/.test(text.slice(from, to))) spans.push([from, to]);
  }
  if (spans.length === 0) return text;
  let out = "";
  let at = 0;
  for (const [from, to] of spans) {
    out += text.slice(at, from) + REPLACEMENT;
    at = to;
  }
  return out + text.slice(at);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// One redactor for every boundary where text leaves the process: logs,
// GitHub comments and PR bodies, tool output shown to the model, trajectories.
// It removes every secret value it was told about, plus anything shaped like
// a well-known token, whoever produced it.

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
  #values = new Set<string>();
  #pattern: RegExp | undefined;

  constructor(secrets: Iterable<string | undefined> = []) {
    for (const s of secrets) this.add(s);
  }

  /** Remember a secret value (and its base64 form, as used in Basic auth headers). */
  add(secret: string | undefined): this {
    if (!secret || secret.length < MIN_SECRET_LENGTH) return this;
    const before = this.#values.size;
    this.#values.add(secret);
    this.#values.add(Buffer.from(secret).toString("base64"));
    this.#values.add(Buffer.from(`x-access-token:${secret}`).toString("base64"));
    // A multi-line secret (a PEM key) also leaks line by line, or JSON-escaped.
    if (secret.includes("\n")) {
      this.#values.add(secret.replace(/\n/g, "\\n"));
      for (const line of secret.split("\n")) {
        if (line.trim().length >= 16 && !line.startsWith("-----")) this.#values.add(line.trim());
      }
    }
    if (this.#values.size !== before) this.#pattern = undefined;
    return this;
  }

  /** A redactor that knows everything this one knows, plus more; this one is unchanged. */
  child(secrets: Iterable<string | undefined> = []): Redactor {
    const r = new Redactor(this.#values);
    for (const s of secrets) r.add(s);
    return r;
  }

  get size(): number {
    return this.#values.size;
  }

  redact(text: string): string {
    if (!text) return text;
    let out = text;
    if (this.#values.size > 0) {
      this.#pattern ??= new RegExp(
        [...this.#values]
          .sort((a, b) => b.length - a.length)
          .map(escapeRegExp)
          .join("|"),
        "g",
      );
      out = out.replace(this.#pattern, REPLACEMENT);
    }
    for (const p of TOKEN_PATTERNS) out = out.replace(p, REPLACEMENT);
    return out;
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

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

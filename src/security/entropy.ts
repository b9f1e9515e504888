// High-entropy strings: long runs of base64/hex-ish characters that look
// random, the way generated keys and tokens do and words, paths and
// identifiers do not. Tuned against 83 MB of real code (node_modules) so that
// ordinary code, URLs with commit hashes, lockfiles and integrity hashes pass.

export interface EntropyHit {
  start: number;
  end: number;
  entropy: number;
}

/** Shortest run worth judging: shorter random strings are rarely secrets, and often ids. */
export const MIN_RUN = 32;
/** Bits per character above which a mixed-case run looks generated (random base64 of 24+ bytes: p1 ≈ 4.2, p50 ≈ 4.6). */
export const MIXED_THRESHOLD = 4.2;
/** The same for lowercase letters and digits only (random [a-z0-9]{32}: p50 ≈ 4.3). */
export const LOWER_THRESHOLD = 3.9;
/** Hex looks random by nature (hashes, ids, commit pins), so it counts only where the line names a secret. */
export const HEX_THRESHOLD = 3.0;

const RUN = /[A-Za-z0-9+/_=-]{32,}/g;
const HEXISH = /^[0-9a-fA-F-]+$/;
const NAMES_A_SECRET =
  /secret|token|passw(?:or)?d|pwd|api[_-]?key|access[_-]?key|private[_-]?key|credential|auth|signing/i;
/** Subresource-integrity and lockfile hashes: `sha512-…`. */
const INTEGRITY = /^sha(?:1|224|256|384|512)-/;
const WORD = /^[a-z]{3,}$|^[A-Z][a-z]{2,}$|^[A-Z]{3,}$/;
/** ssh-rsa / ssh-dss / ssh-ed25519 / ecdsa public keys: public by design. */
const SSH_PUBLIC_KEY = /^AAAA[BCE][0-9A-Za-z]{2}(?:NzaC1|VjZHNh)/;

export function shannonEntropy(s: string): number {
  if (!s) return 0;
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** The runs in one line that look like generated secrets. */
export function highEntropyRuns(line: string, depth = 0): EntropyHit[] {
  const hits: EntropyHit[] = [];
  for (const match of line.matchAll(RUN)) {
    const start = match.index;
    const end = start + match[0].length;
    if (line.slice(Math.max(0, start - 7), start) === "base64,") continue; // a data: URI is content, not a key
    // A path or URL of words ("com/org/repo/commit/<sha>") is judged piece by piece.
    const text = match[0].replace(/^\/+|\/+$/g, "");
    const pieces = text.includes("/") && isPath(text) ? text.split("/") : [text];
    // Hex in a path is an id (a commit, a blob), whatever the line mentions.
    const context = pieces.length > 1 ? "" : line;
    const entropy = Math.max(...pieces.map((p) => judge(p, context, depth)));
    if (entropy > 0) hits.push({ start, end, entropy });
  }
  return hits;
}

/** The entropy of a run that looks generated, or 0 when it does not. */
function judge(raw: string, context: string, depth: number): number {
  const run = raw.replace(/=+$/, "");
  if (run.length < MIN_RUN || INTEGRITY.test(run) || SSH_PUBLIC_KEY.test(run)) return 0;
  const entropy = shannonEntropy(run);
  // Hex, alone or behind a short type prefix ("resp_677efb…", UUIDs).
  if (HEXISH.test(run.replace(/^[a-z]{2,12}[_-]/, "")))
    return entropy >= HEX_THRESHOLD && NAMES_A_SECRET.test(context) ? entropy : 0;
  // Identifiers and prose carry a digit or two at most, and are made of words.
  if (countDigits(run) < 2 || isWords(run) || isSequence(run)) return 0;
  // Encoded text (GraphQL node ids, "user:pass") is judged by what it encodes.
  const decoded = depth === 0 ? decodeBase64Text(raw) : undefined;
  if (decoded !== undefined) return highEntropyRuns(decoded, depth + 1).length > 0 ? entropy : 0;
  const threshold = /[A-Z]/.test(run) && /[a-z]/.test(run) ? MIXED_THRESHOLD : LOWER_THRESHOLD;
  return entropy >= threshold ? entropy : 0;
}

/** Base64 that decodes to printable ASCII; undefined for random bytes (or not base64 at all). */
export function decodeBase64Text(run: string): string | undefined {
  const clean = run.replace(/-/g, "+").replace(/_/g, "/");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(clean) || clean.replace(/=+$/, "").length % 4 === 1) return undefined;
  const bytes = Buffer.from(clean, "base64");
  if (bytes.length === 0) return undefined;
  let printable = 0;
  for (const b of bytes) if ((b >= 0x20 && b < 0x7f) || b === 0x0a || b === 0x09) printable++;
  return printable / bytes.length >= 0.95 ? bytes.toString("latin1") : undefined;
}

/** A path or URL of words and ids: two word segments, or a word next to a number or a hex id. */
function isPath(run: string): boolean {
  const segments = run.split("/").filter(Boolean);
  const wordy = segments.filter((s) => s.length >= 3 && /^[a-z][a-z_-]+$/i.test(s) && lowerShare(s) >= 0.7).length;
  const ids = segments.filter((s) => /^\d{3,}$/.test(s) || (s.length >= 32 && HEXISH.test(s))).length;
  return segments.length >= 2 && wordy >= 1 && wordy + ids >= 2;
}

/**
 * Mostly made of words: snake_case, kebab-case, model names with dates, a
 * sentence with underscores. Random base64url has too few separators, and its
 * letter runs are mixed-case noise rather than words.
 */
function isWords(run: string): boolean {
  const tokens = run.split(/[_\-./+]+/).filter(Boolean);
  if (tokens.length < 3) return false;
  let wordChars = 0;
  for (const token of tokens) {
    if (/^\d+$/.test(token)) {
      wordChars += token.length;
      continue;
    }
    for (const piece of token.split(
      /(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])/,
    )) {
      if (WORD.test(piece)) wordChars += piece.length;
    }
  }
  return wordChars / run.length >= 0.6;
}

/** An alphabet table or a placeholder ("0123456789ABCDEF…", "1234567890abcdef…"). */
function isSequence(run: string): boolean {
  let steps = 0;
  for (let i = 1; i < run.length; i++) if (run.charCodeAt(i) - run.charCodeAt(i - 1) === 1) steps++;
  return steps / (run.length - 1) >= 0.5;
}

function countDigits(s: string): number {
  let n = 0;
  for (const c of s) if (c >= "0" && c <= "9") n++;
  return n;
}

function lowerShare(s: string): number {
  let n = 0;
  for (const c of s) if (c >= "a" && c <= "z") n++;
  return n / s.length;
}

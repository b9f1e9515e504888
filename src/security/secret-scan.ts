// The last look before a push: does what the agent added contain a secret
// (a known value, a token shape, a private key, a generated-looking string)
// or a file too large for a pull request? Findings stop the push and are
// reported, with their excerpts redacted so the report leaks nothing either.
import { parseDiff } from "./diff-lines.ts";
import { decodeBase64Text, highEntropyRuns } from "./entropy.ts";
import { Redactor } from "./redact.ts";

export type FindingKind =
  | "github-token"
  | "api-key"
  | "aws-access-key"
  | "slack-token"
  | "npm-token"
  | "google-api-key"
  | "stripe-key"
  | "auth-header"
  | "private-key"
  | "known-secret"
  | "high-entropy"
  | "oversized-file";

export interface Finding {
  path: string;
  /** Line in the new version of the file; absent for whole-file findings. */
  line?: number;
  kind: FindingKind;
  /** The offending line with the secret replaced by [REDACTED], or the size for oversized files. */
  excerpt: string;
}

export interface ScanOptions {
  /** Files adding more than this many bytes are refused. */
  maxFileBytes: number;
  /** Every secret value the app knows (tokens, opt-in repo secrets): any of them in an added line is a finding. */
  knownSecrets?: Redactor;
}

const PATTERNS: Array<{ kind: FindingKind; pattern: RegExp }> = [
  { kind: "github-token", pattern: /\bgh[opsuar]_[A-Za-z0-9_]{20,255}\b/g },
  { kind: "github-token", pattern: /\bgithub_pat_[A-Za-z0-9_]{22,255}\b/g },
  { kind: "github-token", pattern: /\bv1\.[0-9a-f]{40}\b/g },
  // OpenAI / Anthropic style: "sk-" and a tail with digits and capitals (not "sk-learn-contributors").
  {
    kind: "api-key",
    pattern: /\bsk-(?:proj-|ant-|svcacct-|admin-)?(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Z])[A-Za-z0-9_-]{20,}/g,
  },
  { kind: "aws-access-key", pattern: /\b(?:AKIA|ASIA)(?!IOSFODNN7EXAMPLE)[0-9A-Z]{16}\b/g },
  { kind: "slack-token", pattern: /\bxox[baprs]-[A-Za-z0-9-]{10,}/g },
  {
    kind: "slack-token",
    pattern: /https:\/\/hooks\.slack\.com\/services\/T[A-Za-z0-9]+\/B[A-Za-z0-9]+\/[A-Za-z0-9]{16,}/g,
  },
  { kind: "npm-token", pattern: /\bnpm_[A-Za-z0-9]{36}\b/g },
  { kind: "google-api-key", pattern: /\bAIza[0-9A-Za-z_-]{35}\b/g },
  { kind: "stripe-key", pattern: /\b[sr]k_live_[0-9a-zA-Z]{20,}\b/g },
  { kind: "auth-header", pattern: /\bAuthorization:\s*(?:Bearer|Basic|token)\s+[A-Za-z0-9+/=._-]{16,}/gi },
  { kind: "private-key", pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/g },
];

const PEM_BEGIN = /-----BEGIN [A-Z0-9 ]+-----/;
const PEM_END = /-----END [A-Z0-9 ]+-----/;
const BASE64_RUN = /[A-Za-z0-9+/_-]{16,}={0,2}/g;

/** Lockfiles are full of hashes by design: only token shapes and known values count there. */
const LOCKFILES = new Set([
  "package-lock.json",
  "npm-shrinkwrap.json",
  "yarn.lock",
  "pnpm-lock.yaml",
  "bun.lock",
  "bun.lockb",
  "Cargo.lock",
  "Gemfile.lock",
  "composer.lock",
  "poetry.lock",
  "Pipfile.lock",
  "uv.lock",
  "pdm.lock",
  "go.sum",
  "flake.lock",
  "packages.lock.json",
  "gradle.lockfile",
  "mix.lock",
  "pubspec.lock",
  "Package.resolved",
]);

/** Token shapes only: what is left when a redactor knows no values. */
const SHAPES_ONLY = new Redactor();

export function scanDiff(unifiedDiff: string, opts: ScanOptions): Finding[] {
  const { files, added } = parseDiff(unifiedDiff);
  const findings: Finding[] = [];
  const seen = new Set<string>();
  const add = (finding: Finding) => {
    const key = `${finding.path}\0${finding.line ?? ""}\0${finding.kind}`;
    if (seen.has(key)) return;
    seen.add(key);
    findings.push(finding);
  };
  const redactor = opts.knownSecrets ?? SHAPES_ONLY;

  let pemPath = "";
  let pemNextLine = -1;
  for (const { path, line, text } of added) {
    // Inside a PEM block (a certificate, or the body of a key reported at its BEGIN line) base64 is expected.
    const inPem = pemPath === path && pemNextLine === line;
    if (PEM_BEGIN.test(text) && !PEM_END.test(text)) {
      pemPath = path;
      pemNextLine = line + 1;
    } else if (inPem) {
      pemNextLine = PEM_END.test(text) ? -1 : line + 1;
    }

    const spans: Array<[number, number]> = [];
    const kinds = new Set<FindingKind>();
    for (const { kind, pattern } of PATTERNS) {
      for (const match of text.matchAll(pattern)) {
        // A key's header names it and is kept readable; its body is on the following lines.
        if (kind !== "private-key") spans.push([match.index, match.index + match[0].length]);
        kinds.add(kind);
      }
    }
    if (opts.knownSecrets && opts.knownSecrets.redact(text) !== SHAPES_ONLY.redact(text)) kinds.add("known-secret");
    // A token base64-encoded (a Basic auth value, a config blob) is still the token.
    for (const match of text.matchAll(BASE64_RUN)) {
      const decoded = decodeBase64Text(match[0]);
      if (decoded === undefined) continue;
      for (const { kind, pattern } of PATTERNS) {
        pattern.lastIndex = 0;
        if (!pattern.test(decoded)) continue;
        pattern.lastIndex = 0;
        spans.push([match.index, match.index + match[0].length]);
        kinds.add(kind);
      }
    }
    if (!inPem && !LOCKFILES.has(basename(path))) {
      for (const hit of highEntropyRuns(text)) {
        // A token already named by its shape is not reported twice.
        if (spans.some(([start, end]) => start < hit.end && hit.start < end)) continue;
        spans.push([hit.start, hit.end]);
        kinds.add("high-entropy");
      }
    }
    if (kinds.size === 0) continue;
    const excerpt = excerptOf(text, spans, redactor);
    for (const kind of kinds) add({ path, line, kind, excerpt });
  }

  for (const file of files) {
    if (file.addedBytes > opts.maxFileBytes) {
      add({
        path: file.path,
        kind: "oversized-file",
        excerpt: `adds ${formatSize(file.addedBytes)}, over the limit of ${formatSize(opts.maxFileBytes)}`,
      });
    }
  }
  return sortFindings(findings);
}

/** Files (as they are in the worktree) larger than the limit. */
export function scanSizes(files: Array<{ path: string; bytes: number }>, maxFileBytes: number): Finding[] {
  return sortFindings(
    files
      .filter((f) => f.bytes > maxFileBytes)
      .map((f) => ({
        path: f.path,
        kind: "oversized-file" as const,
        excerpt: `${formatSize(f.bytes)}, over the limit of ${formatSize(maxFileBytes)}`,
      })),
  );
}

const LABELS: Record<FindingKind, string> = {
  "github-token": "a GitHub token",
  "api-key": "an API key (OpenAI/Anthropic style)",
  "aws-access-key": "an AWS access key id",
  "slack-token": "a Slack token or webhook",
  "npm-token": "an npm token",
  "google-api-key": "a Google API key",
  "stripe-key": "a Stripe live key",
  "auth-header": "an Authorization header with credentials",
  "private-key": "a private key",
  "known-secret": "a secret value this job knows (a token or a configured secret)",
  "high-entropy": "a random-looking string (a generated key or token?)",
  "oversized-file": "a file over the size limit",
};

/** Markdown for the progress comment: what was found where, and what to do. */
export function describeFindings(findings: Finding[]): string {
  const lines = findings.map((f) => {
    const where = f.line === undefined ? `\`${f.path}\`` : `\`${f.path}\` line ${f.line}`;
    return `- ${where}: ${LABELS[f.kind]} — \`${f.excerpt.replace(/`/g, "'")}\``;
  });
  return [
    "Nothing was pushed: the changes contain what looks like secrets or oversized files.",
    ...lines,
    "If a value is a real secret, rotate it. If it is a false alarm (test data), ask again with the value built at run time or moved out of the diff.",
  ].join("\n");
}

function excerptOf(text: string, spans: Array<[number, number]>, redactor: Redactor): string {
  let masked = text;
  for (const [start, end] of mergeSpans(spans).reverse()) {
    masked = masked.slice(0, start) + "[REDACTED]" + masked.slice(end);
  }
  masked = redactor.redact(masked).trim();
  const at = Math.max(0, masked.indexOf("[REDACTED]"));
  const from = Math.max(0, at - 60);
  const to = Math.min(masked.length, at + 70);
  return `${from > 0 ? "…" : ""}${masked.slice(from, to)}${to < masked.length ? "…" : ""}`;
}

/** Sorted, with overlapping spans joined, so masking one never cuts into another. */
function mergeSpans(spans: Array<[number, number]>): Array<[number, number]> {
  const merged: Array<[number, number]> = [];
  for (const [start, end] of [...spans].sort((a, b) => a[0] - b[0])) {
    const last = merged.at(-1);
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort((a, b) => (a.path === b.path ? (a.line ?? 0) - (b.line ?? 0) : a.path < b.path ? -1 : 1));
}

function basename(p: string): string {
  return p.slice(p.lastIndexOf("/") + 1);
}

function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}

// When an exact-string edit finds nothing, the most useful reply shows where
// the model probably meant: text that matches once whitespace is ignored, or
// the windows of lines most similar to what it sent.

export interface NearMatch {
  /** 1-based, inclusive. */
  startLine: number;
  endLine: number;
  /** 0..1; 1 for a whitespace-only difference. */
  score: number;
  kind: "whitespace" | "similar";
}

const MIN_SCORE = 0.5;
/** Above this many line comparisons, windows are scored on a few sample lines only. */
const FULL_SCORING_BUDGET = 400_000;

export function findNearMatches(text: string, needle: string, max = 3): NearMatch[] {
  const ws = whitespaceInsensitiveMatches(text, needle, max);
  if (ws.length > 0) return ws;
  return similarWindows(text, needle, max);
}

/** Matches of `needle` in `text` with all whitespace removed from both, mapped back to lines. */
function whitespaceInsensitiveMatches(text: string, needle: string, max: number): NearMatch[] {
  const squashedNeedle = needle.replace(/\s+/g, "");
  if (squashedNeedle.length < 3) return [];
  const offsets: number[] = [];
  let squashed = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (/\s/.test(c)) continue;
    squashed += c;
    offsets.push(i);
  }
  const lineStarts = lineStartOffsets(text);
  const out: NearMatch[] = [];
  for (
    let at = squashed.indexOf(squashedNeedle);
    at !== -1 && out.length < max;
    at = squashed.indexOf(squashedNeedle, at + squashedNeedle.length)
  ) {
    const start = offsets[at] ?? 0;
    const end = offsets[at + squashedNeedle.length - 1] ?? start;
    out.push({ startLine: lineOf(lineStarts, start), endLine: lineOf(lineStarts, end), score: 1, kind: "whitespace" });
  }
  return out;
}

function similarWindows(text: string, needle: string, max: number): NearMatch[] {
  const fileLines = text.split(/\r?\n/).map((l) => l.trim());
  const needleLines = needle.split(/\r?\n/).map((l) => l.trim());
  while (needleLines.length > 1 && needleLines[needleLines.length - 1] === "") needleLines.pop();
  while (needleLines.length > 1 && needleLines[0] === "") needleLines.shift();
  const n = needleLines.length;
  if (n === 0 || fileLines.length === 0) return [];
  const windows = Math.max(1, fileLines.length - n + 1);
  // Which needle lines to compare: all of them when affordable, else first, middle and last.
  const sample =
    windows * n <= FULL_SCORING_BUDGET ? needleLines.map((_, k) => k) : [...new Set([0, Math.floor(n / 2), n - 1])];
  const needleGrams = needleLines.map(bigrams);
  const fileGrams = new Map<number, Set<string>>();
  const gramsAt = (i: number) => {
    let g = fileGrams.get(i);
    if (!g) {
      g = bigrams(fileLines[i] ?? "");
      fileGrams.set(i, g);
    }
    return g;
  };
  const scored: NearMatch[] = [];
  for (let i = 0; i < windows; i++) {
    let sum = 0;
    for (const k of sample) sum += similarity(gramsAt(i + k), needleGrams[k]!);
    const score = sum / sample.length;
    if (score >= MIN_SCORE)
      scored.push({ startLine: i + 1, endLine: Math.min(fileLines.length, i + n), score, kind: "similar" });
  }
  scored.sort((a, b) => b.score - a.score || a.startLine - b.startLine);
  const out: NearMatch[] = [];
  for (const m of scored) {
    if (out.some((o) => m.startLine <= o.endLine && o.startLine <= m.endLine)) continue;
    out.push(m);
    if (out.length >= max) break;
  }
  return out;
}

function bigrams(s: string): Set<string> {
  const t = s.replace(/\s+/g, " ");
  const out = new Set<string>();
  if (t.length === 1) out.add(t);
  for (let i = 0; i < t.length - 1; i++) out.add(t.slice(i, i + 2));
  return out;
}

/** Half Dice (whole-line likeness), half overlap (a fragment of a longer line still scores). */
function similarity(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  if (a.size === 0 || b.size === 0) return 0;
  let common = 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const g of small) if (large.has(g)) common++;
  const dice = (2 * common) / (a.size + b.size);
  const overlap = common / small.size;
  return 0.5 * dice + 0.5 * overlap;
}

function lineStartOffsets(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

function lineOf(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

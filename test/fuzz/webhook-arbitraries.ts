// fast-check generators for hostile webhook payloads: a real example payload
// with fields removed, added, or replaced by values of the wrong type, null,
// huge strings, odd unicode (RTL marks, NULs, lone surrogates) or a deeply
// nested object.
import fc from "fast-check";

type Json = Record<string, unknown>;
export type Path = Array<string | number>;

export type Mutation =
  | { op: "delete"; at: number }
  | { op: "set"; at: number; value: unknown }
  | { op: "add"; at: number; key: string; value: unknown };

const ODD_TEXT = [
  "\u202e/agent fix",
  "/agent\u200f fix",
  "/agent fix\u0000",
  "\u0000",
  "\ud800",
  "\udfff",
  "a\ud800b",
  "\ufeff/agent fix",
  "𝔞𝔤𝔢𝔫𝔱",
  "/agent \u{1F525}",
  "/AGENT FIX",
  "/agent",
  "/agent ".repeat(1000),
  "agent",
  "\r\n/agent fix\r\n",
  "`/agent fix`",
  "<!-- /agent fix -->",
];

/** A nested object `depth` levels deep. */
export function nested(depth: number): Json {
  let v: Json = { end: true };
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

/** Values a field should never hold. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.constant(null), weight: 4 },
  { arbitrary: fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -1, 2 ** 31, 2 ** 53 + 1, 1e308)), weight: 3 },
  { arbitrary: fc.boolean(), weight: 1 },
  { arbitrary: fc.string({ unit: "binary", maxLength: 40 }), weight: 3 },
  { arbitrary: fc.constantFrom(...ODD_TEXT), weight: 3 },
  // Up to a few MB: the body as a whole, and one string field, may be huge.
  {
    arbitrary: fc
      .tuple(fc.integer({ min: 10_000, max: 3_000_000 }), fc.constantFrom("x", "\u202e", "é", "\u0000"))
      .map(([n, c]) => c.repeat(n)),
    weight: 1,
  },
  { arbitrary: fc.integer({ min: 100, max: 3_000 }).map(nested), weight: 1 },
  { arbitrary: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }), weight: 2 },
  { arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }), weight: 2 },
);

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant("delete" as const), at: fc.nat() }),
  fc.record({ op: fc.constant("set" as const), at: fc.nat(), value: hostileValue }),
  fc.record({
    op: fc.constant("add" as const),
    at: fc.nat(),
    key: fc.oneof(
      fc.string({ maxLength: 10 }),
      fc.constantFrom("__proto__", "constructor", "installation", "pull_request"),
    ),
    value: hostileValue,
  }),
);

/** Every path into `value` down to `maxDepth`, the root's children first. */
export function pathsOf(value: unknown, maxDepth = 4, prefix: Path = []): Path[] {
  if (prefix.length >= maxDepth || value === null || typeof value !== "object") return [];
  const entries: Array<[string | number, unknown]> = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : Object.entries(value);
  return entries.flatMap(([k, v]) => [[...prefix, k], ...pathsOf(v, maxDepth, [...prefix, k])]);
}

/** The payload with `mutations` applied, each at a path picked from the paths it has at that moment. */
export function applyMutations(payload: Json, mutations: Mutation[]): unknown {
  const out = structuredClone(payload);
  for (const m of mutations) {
    const paths = pathsOf(out);
    const path = paths[m.at % Math.max(1, paths.length)];
    if (!path) continue;
    const parent = path
      .slice(0, -1)
      .reduce<unknown>((node, k) => (node as Record<string | number, unknown>)[k], out) as Record<
      string | number,
      unknown
    >;
    const key = path[path.length - 1]!;
    if (m.op === "delete") {
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
    } else if (m.op === "set") {
      parent[key] = m.value;
    } else {
      const target = parent[key];
      // JSON-style: `__proto__` becomes an own key, as JSON.parse would make it.
      if (target && typeof target === "object" && !Array.isArray(target))
        Object.defineProperty(target, m.key, { value: m.value, enumerable: true, configurable: true, writable: true });
      else parent[key] = { [m.key]: m.value };
    }
  }
  return out;
}

// fast-check generators for `.github/agent.yml`: text that looks like YAML
// (mostly broken), documents dumped from random values, and documents with
// the real keys holding values of the wrong type.
import fc from "fast-check";
import { stringify } from "yaml";
import { repoConfigSchema, budgetSchema } from "../../src/config/repo-config.ts";

export const CONFIG_KEYS = Object.keys(repoConfigSchema.shape);
export const BUDGET_KEYS = Object.keys(budgetSchema.shape);

/** The pieces YAML is made of, and the ones that break it: indentation, flow, anchors, tags, block scalars, directives. */
const FRAGMENTS = [
  ...CONFIG_KEYS,
  ...BUDGET_KEYS,
  "_extends",
  "<<",
  "budget",
  "key",
  ": ",
  ":",
  "- ",
  "-",
  "\n",
  "\n  ",
  "\n    ",
  "  ",
  "\t",
  "{",
  "}",
  "[",
  "]",
  ", ",
  "&a ",
  "*a",
  "*b",
  "!!str ",
  "!!int ",
  "!!map ",
  "!!binary ",
  "!custom ",
  "---\n",
  "...\n",
  "# c",
  "'",
  '"',
  "? ",
  "| ",
  "> ",
  "|-\n  ",
  "%YAML 1.2\n",
  "%TAG ! tag:x:\n",
  "1",
  "-1",
  "0x1F",
  "1e999",
  ".nan",
  ".inf",
  "null",
  "~",
  "true",
  "no",
  "yes",
  "on",
  "2024-01-01",
  "\u202e",
  "\u0000",
  "\ud800",
  "é",
  "💥",
];

/** Text made of YAML pieces: mostly invalid, sometimes valid in surprising ways. */
export const yamlishText: fc.Arbitrary<string> = fc
  .array(fc.constantFrom(...FRAGMENTS), { maxLength: 60 })
  .map((parts) => parts.join(""));

/** Random JSON-able values dumped as YAML documents. */
export const dumpedValue: fc.Arbitrary<string> = fc.jsonValue({ maxDepth: 4 }).map((v) => stringify(v));

/** A value of some other type than `like`. */
function wrongType(like: unknown): fc.Arbitrary<unknown> {
  const all: Array<[string, fc.Arbitrary<unknown>]> = [
    ["string", fc.string({ maxLength: 20 })],
    ["number", fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }))],
    ["boolean", fc.boolean()],
    ["array", fc.array(fc.integer(), { maxLength: 3 })],
    ["object", fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), fc.integer(), { maxKeys: 3 })],
  ];
  const kind = Array.isArray(like) ? "array" : like === null ? "null" : typeof like;
  return fc.oneof(...all.filter(([k]) => k !== kind).map(([, a]) => a));
}

const DEFAULTS = repoConfigSchema.parse({}) as Record<string, unknown>;
const BUDGET_DEFAULTS = DEFAULTS.budget as Record<string, unknown>;
// Keys whose default is undefined: an example of the type each holds when present.
const LIKE: Record<string, unknown> = {
  setup: "npm ci",
  test: "npm test",
  lint: "npm run lint",
  notes: "text",
  model: "gpt-4.1",
  clone_depth: 1,
};
// A new optional key without an example would let "a wrong type" be the right one and fail by chance.
const noExample = Object.keys(repoConfigSchema.shape).filter((k) => DEFAULTS[k] === undefined && !(k in LIKE));
if (noExample.length > 0) throw new Error(`config-arbitraries: give LIKE an example value for ${noExample.join(", ")}`);

/** A mapping of real keys, each holding a value of a type the schema refuses (budget keys nested), plus the keys chosen. */
export const wrongTypedConfig: fc.Arbitrary<{ doc: Record<string, unknown>; keys: string[] }> = fc
  .tuple(
    fc.subarray(
      CONFIG_KEYS.filter((k) => k !== "budget" && k !== "setup"),
      { minLength: 1, maxLength: 4 },
    ),
    fc.subarray(BUDGET_KEYS, { maxLength: 2 }),
  )
  .chain(([top, budget]) =>
    fc
      .tuple(
        fc.tuple(...top.map((k) => wrongType(DEFAULTS[k] ?? LIKE[k]))),
        budget.length ? fc.tuple(...budget.map((k) => wrongType(BUDGET_DEFAULTS[k]))) : fc.constant([] as unknown[]),
      )
      .map(([topValues, budgetValues]) => {
        const doc: Record<string, unknown> = Object.fromEntries(top.map((k, i) => [k, topValues[i]]));
        if (budget.length) doc.budget = Object.fromEntries(budget.map((k, i) => [k, budgetValues[i]]));
        return { doc, keys: [...top, ...budget.map((k) => `budget.${k}`)] };
      }),
  );

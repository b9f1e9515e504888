// `.github/agent.yml` is written by people, so any text at all must come back
// as `{ config, errors }`: never an exception, the config always a valid one,
// every error one line naming the field it is about.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import {
  DEFAULT_REPO_CONFIG,
  parseRepoConfig,
  parseRepoConfigText,
  repoConfigSchema,
  type RepoConfigResult,
} from "../../src/config/repo-config.ts";
import { dumpedValue, wrongTypedConfig, yamlishText } from "./config-arbitraries.ts";

/** What every result must be, whatever the input. */
function wellFormed(result: RepoConfigResult): void {
  expect(repoConfigSchema.safeParse(result.config).success).toBe(true);
  for (const e of result.errors) {
    expect(typeof e).toBe("string");
    expect(e).not.toMatch(/\n/);
    // A field path (or the top level), or a sentence about the whole file.
    expect(e).toMatch(/^(\(top level\)|[\w.]+|the file must be a YAML mapping|not valid YAML)[: ]/);
  }
  if (result.errors.length > 0) expect(result.config).toEqual(DEFAULT_REPO_CONFIG);
}

const runs = (numRuns: number) => ({ numRuns });

describe("parsing .github/agent.yml never throws", () => {
  it("turns YAML-ish text, mostly broken, into a config and one-line errors", () => {
    fc.assert(
      fc.property(yamlishText, (text) => wellFormed(parseRepoConfigText(text))),
      runs(300),
    );
  });

  it("turns any YAML document dumped from a random value into a config and errors", () => {
    fc.assert(
      fc.property(dumpedValue, (text) => wellFormed(parseRepoConfigText(text))),
      runs(300),
    );
  });

  it("turns any value at all (what Probot's loader hands over) into a config and errors", () => {
    fc.assert(
      fc.property(
        fc.anything({ withNullPrototype: true, withBigInt: true, withDate: true, withMap: true, withSet: true }),
        (value) => wellFormed(parseRepoConfig(value)),
      ),
      runs(300),
    );
  });

  it("names every real key that holds a value of the wrong type", () => {
    fc.assert(
      fc.property(wrongTypedConfig, ({ doc, keys }) => {
        const result = parseRepoConfigText(stringify(doc));
        wellFormed(result);
        for (const key of keys) expect(result.errors.some((e) => e.startsWith(`${key}`))).toBe(true);
      }),
      runs(200),
    );
  });

  it("names every unknown key, and still the wrongly typed ones beside them", () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.stringMatching(/^x_[a-z]{1,8}$/), fc.jsonValue({ maxDepth: 2 }), { minKeys: 1, maxKeys: 4 }),
        (extra) => {
          const result = parseRepoConfigText(stringify({ ...extra, draft: "sometimes" }));
          wellFormed(result);
          for (const key of Object.keys(extra)) expect(result.errors.join("\n")).toContain(`\`${key}\``);
          expect(result.errors.some((e) => e.startsWith("draft:"))).toBe(true);
        },
      ),
      runs(100),
    );
  });

  it("answers a document that expands to billions of nodes at once, with an error", () => {
    const laughs = [
      "a: &a [x, x, x, x, x, x, x, x, x, x]",
      ...Array.from(
        { length: 9 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
            .fill(`*${String.fromCharCode(97 + i)}`)
            .join(", ")}]`,
      ),
    ].join("\n");
    const started = performance.now();
    const result = parseRepoConfigText(laughs);
    expect(performance.now() - started).toBeLessThan(2_000);
    wellFormed(result);
    expect(result.errors.length).toBeGreaterThan(0);
  });
});

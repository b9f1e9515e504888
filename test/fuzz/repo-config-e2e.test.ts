// A broken `.github/agent.yml` through the whole app: the delivery is
// answered, the job ends as a config error, and its progress comment lists
// every problem, never "internal error". Each case commits a config to the
// fake's repository and labels a fresh issue.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { mappingProblem, parseRepoConfig } from "../../src/config/repo-config.ts";
import { TERMINAL_STATES } from "../../src/shared/job.ts";
import { botComments, MAINTAINER, OWNER, REPO, startTestApp, type TestApp } from "../support/app.ts";
import { issuesEvent } from "../support/webhooks.ts";
import { dumpedValue, wrongTypedConfig, yamlishText } from "./config-arbitraries.ts";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ files: { "README.md": "# widgets\n" } });
});
afterAll(() => app.stop());

/** What the app should say about `text`: the errors of the document Probot's loader parses, or that it is not YAML. */
function expectedErrors(text: string): string[] | "invalid-yaml" | undefined {
  let value: unknown;
  try {
    value = parse(text, { logLevel: "error" });
  } catch {
    return "invalid-yaml";
  }
  // Documents the loader reads as "no config" (empty, false, 0) or refuses as a string are not this test's cases.
  if (!value || typeof value === "string") return undefined;
  const problem = mappingProblem(value);
  if (problem) return [problem];
  const { errors } = parseRepoConfig(value);
  return errors.length > 0 ? errors : undefined;
}

let issues = 0;
async function labelWithConfig(text: string) {
  await app.fake.commit({
    owner: OWNER,
    repo: REPO,
    branch: "main",
    files: { ".github/agent.yml": text },
    message: `config ${++issues}`,
  });
  const issue = app.fake.addIssue({ owner: OWNER, repo: REPO, title: `Case ${issues}`, body: "x", user: "reporter" });
  const res = await app.send(
    issuesEvent("labeled", app.target(MAINTAINER), {
      issue: { number: issue.number, title: issue.title, body: "x" },
      label: "agent",
    }),
  );
  expect(res.status).toBe(200);
  const jobs = await app.waitForJobs({
    predicate: (all) => all.some((j) => j.target.number === issue.number && TERMINAL_STATES.includes(j.state)),
  });
  const job = jobs.find((j) => j.target.number === issue.number)!;
  return { job, comment: botComments(app, issue.number).at(-1)?.body ?? "" };
}

describe("a broken .github/agent.yml, end to end", () => {
  it("ends each job as a config error whose comment lists every problem", async () => {
    const broken = fc
      .oneof(
        yamlishText,
        dumpedValue,
        wrongTypedConfig.map(({ doc }) => stringify(doc)),
      )
      .filter((text) => expectedErrors(text) !== undefined);
    await fc.assert(
      fc.asyncProperty(broken, async (text) => {
        const expected = expectedErrors(text)!;
        const { job, comment } = await labelWithConfig(text);
        expect(comment).not.toContain("internal error");
        expect(job.outcome?.status).toBe("config_error");
        expect(comment).toMatch(/Stopped: \.github\/agent\.yml has \d+ errors?/);
        if (expected === "invalid-yaml") expect(comment).toContain("not valid YAML");
        // A lone surrogate cannot travel as UTF-8: GitHub (and the fake) store U+FFFD in its place.
        else for (const e of expected) expect(comment).toContain(e.toWellFormed());
      }),
      // Each case is a whole job (~0.2 s alone, ten times that on a loaded CI machine): stop drawing new
      // cases after 40 s rather than time out; a case drawn is still checked in full.
      { numRuns: 25, interruptAfterTimeLimit: 40_000, markInterruptAsFailure: false },
    );
  }, 120_000);

  it("reports a document that is bytes, a set, a list or a number as not a mapping, never as no settings", async () => {
    for (const [text, kind] of [
      ["!!binary aGVsbG8=\n", "binary data"],
      ["!!binary \n", "binary data"],
      ["!!set { a, b }\n", "a set"],
      ["- a\n- b\n", "a list"],
      ["42\n", "a number"],
    ] as const) {
      const { job, comment } = await labelWithConfig(text);
      expect(job.outcome?.status).toBe("config_error");
      expect(comment).toContain(`.github/agent.yml: the file must be a YAML mapping (key: value), not ${kind}`);
    }
  });

  it("reports an _extends it cannot follow as a config error, not a crash", async () => {
    for (const text of ["_extends: 42\n", "_extends: '../../etc/passwd'\n", "_extends: [a, b]\n"]) {
      const { job, comment } = await labelWithConfig(text);
      expect(comment).not.toContain("internal error");
      expect(job.outcome?.status).toBe("config_error");
      expect(comment).toContain("_extends");
    }
  });
});

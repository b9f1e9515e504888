// The parsers behind summarizeTestOutput: each reads one runner's output
// (vitest, jest, mocha, node:test spec and TAP, pytest, go test, cargo test)
// for its counts and the names and first error lines of failing tests.
export interface TestCounts {
  passed?: number;
  failed?: number;
  skipped?: number;
}

export interface Parsed {
  counts?: TestCounts;
  failures: string[];
}

type Parser = (lines: string[]) => Parsed | undefined;

const ERROR_LINES = 3;

/** The name, then up to ERROR_LINES non-empty lines of its error, indented. */
function failure(name: string, errorLines: string[]): string {
  const err = errorLines
    .map((l) => l.trim())
    .filter((l) => l !== "")
    .slice(0, ERROR_LINES)
    .map((l) => `    ${l.length > 200 ? `${l.slice(0, 200)}…` : l}`);
  return [name.trim(), ...err].join("\n");
}

/** Non-empty lines after index i, stopping at a line that matches `stop`. */
function following(lines: string[], i: number, stop: RegExp, max = ERROR_LINES + 2): string[] {
  const out: string[] = [];
  for (let j = i + 1; j < lines.length && out.length < max; j++) {
    const l = lines[j]!;
    if (stop.test(l)) break;
    if (l.trim() !== "") out.push(l);
  }
  return out;
}

function num(s: string | undefined): number | undefined {
  return s === undefined ? undefined : Number(s);
}

/** "2 failed | 1 passed | 1 skipped" or "1 failed, 2 passed, 3 total" → counts. */
function countWords(text: string): TestCounts {
  const get = (...words: string[]) => {
    let total: number | undefined;
    for (const w of words) {
      const m = new RegExp(`(\\d+) ${w}\\b`).exec(text);
      if (m) total = (total ?? 0) + Number(m[1]);
    }
    return total;
  };
  const counts: TestCounts = {};
  const failed = get("failed", "failing", "errors?");
  const passed = get("passed", "passing");
  const skipped = get("skipped", "pending", "todo", "ignored");
  if (failed !== undefined) counts.failed = failed;
  if (passed !== undefined) counts.passed = passed;
  if (skipped !== undefined) counts.skipped = skipped;
  return counts;
}

const vitest: Parser = (lines) => {
  const countsLine = lines.find((l) => /^\s*Tests\s{2,}.*\(\d+\)\s*$/.test(l));
  const failures: string[] = [];
  lines.forEach((l, i) => {
    const m = /^\s*FAIL\s+(.+?)\s*$/.exec(l);
    if (m && /[>›]|\.(test|spec)\./.test(m[1]!))
      failures.push(failure(m[1]!, following(lines, i, /^\s*(❯|⎯|FAIL\s)|^\s*\d+\|/)));
  });
  if (!countsLine && failures.length === 0) return undefined;
  if (!countsLine) return { failures };
  const counts = countWords(countsLine);
  counts.failed ??= 0;
  return { counts, failures };
};

const jest: Parser = (lines) => {
  const countsLine = lines.find((l) => /^Tests:\s+.*\d+ total/.test(l));
  if (!countsLine) return undefined;
  const failures: string[] = [];
  lines.forEach((l, i) => {
    const m = /^\s*● (.+)$/.exec(l);
    if (m && !/^Console$|Test suite failed to run/.test(m[1]!.trim()))
      failures.push(failure(m[1]!, following(lines, i, /^\s*●|^\s*at /)));
  });
  const counts = countWords(countsLine);
  counts.failed ??= 0;
  return { counts, failures };
};

const mocha: Parser = (lines) => {
  const passingAt = lines.findIndex((l) => /^\s+\d+ passing \(/.test(l));
  if (passingAt === -1) return undefined;
  const summary = lines.slice(passingAt, passingAt + 4).join("\n");
  const counts = countWords(summary);
  counts.failed ??= 0;
  const failures: string[] = [];
  const failingAt = lines.findIndex((l, i) => i > passingAt && /^\s+\d+ failing/.test(l));
  if (failingAt !== -1) {
    for (let i = failingAt + 1; i < lines.length; i++) {
      if (!/^\s+\d+\) /.test(lines[i]!)) continue;
      // The name spans lines until one ending with ":" (suite, then test).
      const name: string[] = [lines[i]!.replace(/^\s+\d+\) /, "").trim()];
      let j = i;
      while (!name[name.length - 1]!.endsWith(":") && j + 1 < lines.length && j < i + 6) name.push(lines[++j]!.trim());
      failures.push(failure(name.join(" ").replace(/:$/, ""), following(lines, j, /^\s+\d+\) |^\s+at /)));
      i = j;
    }
  }
  return { counts, failures };
};

const nodeSpec: Parser = (lines) => {
  const info = (key: string) =>
    num(lines.map((l) => new RegExp(`^ℹ ${key} (\\d+)$`).exec(l.trim())?.[1]).find((v) => v !== undefined));
  const tests = info("tests");
  if (tests === undefined) return undefined;
  const skipped = (info("skipped") ?? 0) + (info("todo") ?? 0);
  const counts: TestCounts = {
    passed: info("pass") ?? 0,
    failed: (info("fail") ?? 0) + (info("cancelled") ?? 0),
    skipped,
  };
  const failures: string[] = [];
  const section = lines.findIndex((l) => /^✖ failing tests:/.test(l.trim()));
  if (section !== -1) {
    for (let i = section + 1; i < lines.length; i++) {
      const m = /^\s*✖ (.+?)(?: \([\d.]+m?s\))?$/.exec(lines[i]!);
      if (m) failures.push(failure(m[1]!, following(lines, i, /^\s*(✖ |test at |at )/)));
    }
  }
  return { counts, failures };
};

const tap: Parser = (lines) => {
  if (!lines.some((l) => /^\s*(not )?ok \d+/.test(l))) return undefined;
  const hash = (key: string) =>
    num(lines.map((l) => new RegExp(`^# ${key} (\\d+)$`).exec(l.trim())?.[1]).find((v) => v !== undefined));
  const failures: string[] = [];
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  lines.forEach((l, i) => {
    const m = /^\s*(not ok|ok) \d+(?: - )?(.*)$/.exec(l);
    if (!m) return;
    const directive = /#\s*(SKIP|TODO)/i.test(m[2]!);
    if (directive) skipped++;
    else if (m[1] === "ok") passed++;
    else {
      const yaml = following(lines, i, /^\s*\.\.\.\s*$|^\s*(not )?ok \d+/, 40);
      if (yaml.some((y) => /failureType: 'subtestsFailed'/.test(y))) return; // a suite: its tests are listed themselves
      failed++;
      const errAt = yaml.findIndex((y) => /^\s*error:/.test(y));
      let err: string[] = [];
      if (errAt !== -1) {
        const value = yaml[errAt]!.replace(/^\s*error:\s*/, "");
        err = /^\|-?$|^>-?$/.test(value)
          ? yaml.slice(errAt + 1, errAt + 1 + ERROR_LINES)
          : [value.replace(/^'(.*)'$/, "$1")];
      }
      failures.push(failure(m[2]!.replace(/\s*#.*$/, ""), err));
    }
  });
  const counts: TestCounts = {
    passed: hash("pass") ?? passed,
    failed: (hash("fail") ?? failed) + (hash("cancelled") ?? 0),
    skipped: hash("skipped") !== undefined ? (hash("skipped") ?? 0) + (hash("todo") ?? 0) : skipped,
  };
  return { counts, failures };
};

const pytest: Parser = (lines) => {
  const countsLine = [...lines]
    .reverse()
    .find(
      (l) =>
        /^=*\s*(\d+ (failed|passed|skipped|errors?|xfailed|xpassed|deselected|warnings?)(, )?)+ in [\d.]+s/.test(
          l.trim(),
        ) || /^=*\s*no tests ran in/.test(l.trim()),
    );
  const failures: string[] = [];
  for (const l of lines) {
    const m = /^(FAILED|ERROR) (\S+)(?: - (.*))?$/.exec(l.trim());
    if (m) failures.push(failure(m[2]!, m[3] ? [m[3]] : []));
  }
  if (failures.length === 0) {
    // No short summary (-rN): the "____ name ____" headers and their E lines.
    lines.forEach((l, i) => {
      const m = /^_{3,} (.+?) _{3,}$/.exec(l.trim());
      if (m)
        failures.push(
          failure(
            m[1]!,
            following(lines, i, /^_{3,} |^={3,}/, 60)
              .filter((x) => /^E /.test(x))
              .map((x) => x.slice(1)),
          ),
        );
    });
  }
  if (!countsLine)
    return failures.length > 0 && lines.some((l) => /^={5,} (FAILURES|ERRORS) =+$/.test(l.trim()))
      ? { failures }
      : undefined;
  const counts = countWords(countsLine);
  counts.failed ??= 0;
  counts.passed ??= 0;
  return { counts, failures };
};

const goTest: Parser = (lines) => {
  const isGo = (l: string) =>
    /^\s*--- (FAIL|PASS|SKIP): /.test(l) || /^(ok|FAIL)\s+\S+\s+([\d.]+s|\(cached\)|\[)/.test(l);
  if (!lines.some(isGo)) return undefined;
  const failures: string[] = [];
  let failed = 0;
  let passed = 0;
  let skipped = 0;
  lines.forEach((l, i) => {
    const m = /^(\s*)--- (FAIL|PASS|SKIP): (\S+)/.exec(l);
    if (m) {
      if (m[2] === "PASS") passed++;
      else if (m[2] === "SKIP") skipped++;
      else {
        failed++;
        failures.push(failure(m[3]!, following(lines, i, /^\s*--- |^(FAIL|ok)\b|^=== /)));
      }
      return;
    }
    const build = /^FAIL\s+(\S+)\s+\[(build failed|setup failed)\]/.exec(l);
    if (build) failures.push(failure(`${build[1]} [${build[2]}]`, []));
  });
  const counts: TestCounts = { failed };
  if (passed > 0) counts.passed = passed; // only `go test -v` lists passing tests
  if (skipped > 0) counts.skipped = skipped;
  return { counts, failures };
};

const cargo: Parser = (lines) => {
  const results = lines
    .map((l) => /^test result: (?:ok|FAILED)\. (\d+) passed; (\d+) failed; (\d+) ignored/.exec(l.trim()))
    .filter((m) => m !== null);
  if (results.length === 0) return undefined;
  const counts: TestCounts = { passed: 0, failed: 0, skipped: 0 };
  for (const m of results) {
    counts.passed! += Number(m[1]);
    counts.failed! += Number(m[2]);
    counts.skipped! += Number(m[3]);
  }
  const failures: string[] = [];
  lines.forEach((l, i) => {
    const m = /^---- (\S+) stdout ----$/.exec(l.trim());
    if (m) failures.push(failure(m[1]!, following(lines, i, /^---- |^failures:|^note: /)));
  });
  if (failures.length === 0) {
    for (const l of lines) {
      const m = /^test (\S+) \.\.\. FAILED$/.exec(l.trim());
      if (m) failures.push(failure(m[1]!, []));
    }
  }
  return { counts, failures };
};

// Most specific first: TAP and go lines can appear inside other runners' output.
export const PARSERS: Parser[] = [vitest, jest, mocha, nodeSpec, pytest, cargo, tap, goTest];

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Transient } from "../../src/errors.ts";
import { crashInterrupt, isLastAttempt, newJobId, pickNext, settle } from "../../src/jobs/rules.ts";
import type { SchedEntry } from "../../src/jobs/rules.ts";

const NOW = 1_000_000;

const entry = fc.record({
  key: fc.constantFrom("a", "b", "c", "d"),
  installationId: fc.constantFrom(1, 2, 3),
  state: fc.constantFrom("queued" as const, "running" as const),
  runAfter: fc.constantFrom(0, NOW + 5_000),
  leaseExpiresAt: fc.constantFrom(NOW - 1, NOW + 30_000),
  cancelRequested: fc.boolean(),
});

const entries = fc.array(entry, { maxLength: 12 }).map((list) =>
  list.map((e, i): SchedEntry => ({
    ...e,
    id: `j${i}`,
    seq: i + 1,
    leaseExpiresAt: e.state === "running" ? e.leaseExpiresAt : undefined,
  })),
);

describe("pickNext", () => {
  it("never starts a second job on a key, never passes the installation limit, and otherwise takes the oldest", () => {
    fc.assert(
      fc.property(entries, fc.integer({ min: 1, max: 3 }), (list, limit) => {
        const { pick } = pickNext(list, limit, NOW);
        const live = list.filter((e) => e.state === "running" && e.leaseExpiresAt! > NOW);
        const orphans = list.filter((e) => e.state === "running" && e.leaseExpiresAt! <= NOW && !e.cancelRequested);
        const busy = new Set([...live, ...orphans].map((e) => e.key));
        const room = (inst: number) => live.filter((e) => e.installationId === inst).length < limit;
        const oldestOfKey = (e: SchedEntry) =>
          !list.some((o) => o.state === "queued" && o.key === e.key && o.seq < e.seq);
        const eligible = list.filter(
          (e) =>
            e.state === "queued" && !busy.has(e.key) && e.runAfter <= NOW && room(e.installationId) && oldestOfKey(e),
        );
        const resumable = orphans.filter((e) => room(e.installationId) && !live.some((l) => l.key === e.key));
        if (!pick) {
          expect(eligible).toEqual([]);
          expect(resumable).toEqual([]);
          return;
        }
        const chosen = list.find((e) => e.id === pick.id)!;
        expect(room(chosen.installationId)).toBe(true);
        expect(live.some((e) => e.key === chosen.key)).toBe(false);
        if (pick.orphan) {
          expect(chosen.state).toBe("running");
          expect(chosen.cancelRequested).toBe(false);
        } else {
          expect(resumable).toEqual([]);
          expect(chosen).toEqual(eligible[0]);
        }
      }),
      { numRuns: 2_000 },
    );
  });
});

describe("newJobId", () => {
  it("draws no id twice among 100 000 made in the same millisecond", () => {
    const ids = new Set(Array.from({ length: 100_000 }, () => newJobId(NOW)));
    expect(ids.size).toBe(100_000);
  });
});

describe("the end of a run past the crash cap and on the last attempt", () => {
  const policy = { maxAttempts: 3, baseMs: 1_000 };
  const base = {
    outcome: undefined,
    error: undefined,
    threw: false,
    abortReason: undefined,
    shutdown: false,
    attempts: 4,
    interrupt: undefined,
    now: 0,
  };

  it("resumes a job up to the cap, and tells the run to end it interrupted past it", () => {
    expect(crashInterrupt(3, 3)).toBeUndefined();
    expect(crashInterrupt(4, 3)).toEqual({ crashes: 4, maxResumes: 3 });
    expect(crashInterrupt(1, 0)).toEqual({ crashes: 1, maxResumes: 0 });
  });

  it("ends a job past the cap interrupted even when its report could not be written", () => {
    const s = settle(
      { ...base, threw: true, error: new Transient("GitHub answered 502"), interrupt: { crashes: 4 } },
      policy,
    );
    expect(s).toEqual({
      action: "finish",
      state: "interrupted",
      outcome: { status: "interrupted", summary: "its worker died 4 times; the report failed: GitHub answered 502" },
    });
    const reported = settle(
      { ...base, outcome: { status: "interrupted", summary: "its worker died 4 times" }, interrupt: { crashes: 4 } },
      policy,
    );
    expect(reported).toEqual({
      action: "finish",
      state: "interrupted",
      outcome: { status: "interrupted", summary: "its worker died 4 times" },
    });
  });

  it("retries a Transient failure until the last attempt, which the run is told of", () => {
    expect(isLastAttempt(2, policy)).toBe(false);
    expect(isLastAttempt(3, policy)).toBe(true);
    expect(
      settle({ ...base, attempts: 2, threw: true, error: new Transient("git fetch failed on the network") }, policy),
    ).toMatchObject({ action: "release", resume: false });
    expect(
      settle({ ...base, attempts: 3, threw: true, error: new Transient("git fetch failed on the network") }, policy),
    ).toMatchObject({ action: "finish", state: "failed" });
  });
});

// Where a resumed revision starts, decided from its checkpoint and the pull
// request's head: the git side is a recording stand-in (the process-level
// kill -9 test in test/e2e/crash.test.ts runs the real thing).
import pino from "pino";
import { describe, expect, it } from "vitest";
import { DEFAULT_REPO_CONFIG } from "../../../src/config/repo-config.ts";
import type { FixCheckpoint } from "../../../src/run/checkpointer.ts";
import type { JobScope } from "../../../src/run/job-scope.ts";
import { startRevision } from "../../../src/run/revise/revision-start.ts";
import type { GitWorkspace } from "../../../src/workspace/git.ts";

const SPENT = { steps: 4, inputTokens: 900, outputTokens: 80, costUsd: 0.01, wallMs: 5_000 };
const scope = { job: { id: "job-1" }, log: pino({ level: "silent" }) } as unknown as JobScope;

function fakeGit(head: string, options: { history?: string[]; remoteBranches?: string[] } = {}) {
  const calls: string[] = [];
  const git = {
    head: async () => head,
    contains: async (ref: string, ancestor: string) =>
      ref === head && (ancestor === head || (options.history ?? []).includes(ancestor)),
    fetchBranch: async (branch: string) => (options.remoteBranches ?? []).includes(branch),
    checkoutNewBranch: async (branch: string, from: string) => void calls.push(`checkout ${branch} ${from}`),
    deleteRemoteBranch: async (branch: string) => void calls.push(`delete ${branch}`),
  };
  return { git: git as unknown as GitWorkspace, calls };
}

function saved(over: Partial<FixCheckpoint>): FixCheckpoint {
  return {
    version: 1,
    branch: "agent/issue-1-x",
    base: "aaa",
    wipBranch: "agent/wip/job-1",
    wipSha: "wip1",
    messages: [{ role: "user", content: "task" }],
    usage: SPENT,
    testRound: 1,
    ...over,
  };
}

describe("startRevision", () => {
  it("starts a first attempt on the head, with nothing spent", async () => {
    const { git, calls } = fakeGit("aaa");
    const start = await startRevision(scope, git, DEFAULT_REPO_CONFIG, "agent/issue-1-x", undefined);
    expect(start).toMatchObject({
      resume: undefined,
      alreadyPushed: undefined,
      checkpoint: { base: "aaa", wipBranch: "agent/wip/job-1", wipSha: undefined, usage: { steps: 0 } },
    });
    expect(calls).toEqual([]);
  });

  it("carries on from the saved work when the head has not moved", async () => {
    const { git, calls } = fakeGit("aaa", { remoteBranches: ["agent/wip/job-1"] });
    const start = await startRevision(scope, git, DEFAULT_REPO_CONFIG, "agent/issue-1-x", saved({}));
    expect(start.resume).toEqual({ messages: [{ role: "user", content: "task" }], usage: SPENT, testRound: 1 });
    expect(start.checkpoint.base).toBe("aaa");
    expect(calls).toEqual(["checkout agent/issue-1-x origin/agent/wip/job-1"]);
  });

  it("makes no second commit when its follow-up was pushed before the restart", async () => {
    const { git, calls } = fakeGit("ccc", { history: ["bbb", "aaa"], remoteBranches: ["agent/wip/job-1"] });
    const start = await startRevision(scope, git, DEFAULT_REPO_CONFIG, "agent/issue-1-x", saved({ published: "bbb" }));
    expect(start.alreadyPushed).toBe("bbb");
    expect(calls).toEqual([]);
  });

  it("starts again on a head someone moved, keeping what was spent and dropping the stale side branch", async () => {
    const { git, calls } = fakeGit("ddd", { history: ["aaa"], remoteBranches: ["agent/wip/job-1"] });
    const start = await startRevision(scope, git, DEFAULT_REPO_CONFIG, "agent/issue-1-x", saved({}));
    expect(start).toMatchObject({
      resume: undefined,
      alreadyPushed: undefined,
      checkpoint: { base: "ddd", wipSha: undefined, usage: SPENT, messages: [] },
    });
    expect(calls).toEqual(["delete agent/wip/job-1"]);
  });

  it("starts again, spending on, when nothing had been saved yet", async () => {
    const { git, calls } = fakeGit("aaa");
    const start = await startRevision(scope, git, DEFAULT_REPO_CONFIG, "agent/issue-1-x", saved({ wipSha: undefined }));
    expect(start).toMatchObject({ resume: undefined, checkpoint: { base: "aaa", usage: SPENT } });
    expect(calls).toEqual([]);
  });
});

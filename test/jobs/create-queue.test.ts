import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadEnv } from "../../src/config/env.ts";
import { UserError } from "../../src/errors.ts";
import { createQueue, workerOptions } from "../../src/jobs/create-queue.ts";
import { createJobMetrics } from "../../src/jobs/metrics.ts";
import { newJob } from "./helpers.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "create-queue-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const quiet = () => ({ metrics: createJobMetrics({ processMetrics: false }) });

describe("createQueue", () => {
  it("opens the embedded sqlite store at <AGENT_DATA_DIR>/jobs.db by default", async () => {
    const env = loadEnv({ AGENT_DATA_DIR: path.join(dir, "state") });
    const queue = await createQueue(env, undefined, quiet());
    expect(queue.backend).toBe("sqlite");
    expect(existsSync(path.join(dir, "state", "jobs.db"))).toBe(true);
    await queue.close();
  });

  it("rejects a corrupt job store with one clear UserError", async () => {
    writeFileSync(path.join(dir, "jobs.db"), "garbage ".repeat(1000));
    const env = loadEnv({ AGENT_DATA_DIR: dir });
    const error = await createQueue(env, undefined, quiet()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toContain(path.join(dir, "jobs.db"));
  });

  it("feeds queue depth to the metrics it was given", async () => {
    const metrics = createJobMetrics({ processMetrics: false });
    const queue = await createQueue(loadEnv({ AGENT_QUEUE: "memory" }), undefined, { metrics });
    await queue.enqueue(newJob());
    await queue.enqueue(newJob());
    expect(await metrics.text()).toMatch(/^issuesmith_queue_jobs\{state="queued"\} 2$/m);
    await queue.close();
  });

  it("takes the worker limits from the environment", () => {
    const env = loadEnv({ AGENT_CONCURRENCY: "4", AGENT_INSTALLATION_CONCURRENCY: "1" });
    expect(workerOptions(env)).toEqual({ concurrency: 4, perInstallation: 1 });
  });
});

// The world of the tests that run issuesmith as a separate process (crash,
// lease): a fake GitHub with the buggy repository, a temp root for the data
// and work dirs, and the environment the processes share.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { MAINTAINER, MODEL_API_KEY, OWNER, REPO, WEBHOOK_SECRET } from "../support/app.ts";
import { createFakeGitHub, type FakeGitHub } from "../support/fake-github.ts";
import { appKeys } from "../support/keys.ts";
import type { ModelServer } from "../support/model-server.ts";
import { BUGGY_REPO } from "./fixtures.ts";

export async function until<T>(
  what: string,
  fn: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function world(cleanup: Array<() => Promise<unknown>>, files: Record<string, string> = BUGGY_REPO) {
  const keys = await appKeys();
  const fake = await createFakeGitHub({ appId: 4343, publicKey: keys.publicKey });
  cleanup.push(() => fake.close());
  await fake.addRepo({ owner: OWNER, name: REPO, files });
  fake.setPermission(OWNER, REPO, MAINTAINER, "write");
  const root = await mkdtemp(path.join(tmpdir(), "issuesmith-crash-"));
  cleanup.push(() => rm(root, { recursive: true, force: true }));
  return { keys, fake, root };
}

export function appEnv(
  w: { keys: { privateKey: string }; fake: FakeGitHub; root: string },
  model: ModelServer,
): Record<string, string> {
  return {
    APP_ID: String(w.fake.appId),
    PRIVATE_KEY: w.keys.privateKey,
    WEBHOOK_SECRET,
    GHE_HOST: w.fake.host,
    GHE_PROTOCOL: "http",
    OPENAI_BASE_URL: model.url,
    OPENAI_API_KEY: MODEL_API_KEY,
    AGENT_MODEL: "scripted-model",
    AGENT_MODEL_RETRIES: "0",
    AGENT_QUEUE: "sqlite",
    AGENT_DATA_DIR: path.join(w.root, "data"),
    AGENT_WORK_DIR: path.join(w.root, "work"),
    AGENT_GITHUB_THROTTLE: "false",
    AGENT_PROGRESS_INTERVAL_MS: "0",
    AGENT_CHECKPOINT_INTERVAL_S: "0",
    LOG_LEVEL: "info",
  };
}

// `issuesmith doctor`'s model check asks each allowed model for one tiny
// completion through the jobs' own client: what a job would meet (a refused
// key, an Azure deployment, a model the endpoint does not serve) shows here.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { doctorCommand } from "../../src/cli/doctor.ts";
import { loadEnv } from "../../src/config/env.ts";
import { createModelServer, type ModelServer } from "../support/model-server.ts";

const KEY = "sk-doctor-test-0123456789abcdef";
let dataDir: string;
const servers: ModelServer[] = [];
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "issuesmith-doctor-"));
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await rm(dataDir, { recursive: true, force: true });
});

async function server(options: Parameters<typeof createModelServer>[0]): Promise<ModelServer> {
  const s = await createModelServer({ apiKey: KEY, ...options });
  servers.push(s);
  return s;
}

async function doctorModelLines(env: NodeJS.ProcessEnv): Promise<string[]> {
  const lines: string[] = [];
  await doctorCommand(loadEnv({ AGENT_DATA_DIR: dataDir, AGENT_SANDBOX: "none", ...env }), (l) => lines.push(l));
  return lines.filter((l) => /^\S+\s+model\s/.test(l));
}

describe("issuesmith doctor, the model check", () => {
  it("passes when the endpoint answers a completion, and fails with the provider's words on a refused key", async () => {
    const ok = await server({ turns: [{ content: "OK" }] });
    const good = await doctorModelLines({
      OPENAI_BASE_URL: ok.url,
      OPENAI_API_KEY: KEY,
      AGENT_MODEL: "scripted-model",
    });
    expect(good).toHaveLength(1);
    expect(good[0]).toMatch(/^ok\s+model\s+scripted-model at .*: answered in \d+ ms/);
    expect(ok.requests[0]).toMatchObject({ path: "/v1/chat/completions", outcome: "answered" });

    const refusing = await server({ turns: [] });
    const bad = await doctorModelLines({
      OPENAI_BASE_URL: refusing.url,
      OPENAI_API_KEY: "sk-wrong-key-0123456789abcdef",
      AGENT_MODEL: "scripted-model",
    });
    expect(bad[0]).toMatch(/^FAIL\s+model\s+scripted-model at .*refused the API key \(401\)/);
    expect(bad[0]).not.toContain("sk-wrong-key");
    expect(refusing.requests).toHaveLength(1);
  });

  it("reaches an Azure deployment the way jobs do, and names a deployment that does not exist", async () => {
    const azure = await server({
      provider: "azure",
      model: "gpt-4o",
      deployment: "prod-gpt4o",
      turns: [{ content: "OK" }],
    });
    const lines = await doctorModelLines({
      OPENAI_BASE_URL: azure.url,
      OPENAI_API_KEY: KEY,
      AGENT_MODEL: "gpt-4o",
      AGENT_MODELS: JSON.stringify({ staging: { base_url: azure.url.replace("prod-gpt4o", "staging") } }),
    });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^ok\s+model\s+gpt-4o at .*: answered/);
    expect(azure.requests[0]).toMatchObject({
      path: "/openai/deployments/prod-gpt4o/chat/completions",
      apiKeyHeader: KEY,
    });
    expect(lines[1]).toMatch(/^FAIL\s+model\s+staging at .*The API deployment for this resource does not exist/);
  });
});

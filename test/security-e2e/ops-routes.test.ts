// The operator routes as an attacker on the internet meets them: through the
// app's own webhook port, and the separate operator listener.
import { afterEach, describe, expect, it } from "vitest";
import { freePort, startTestApp, type TestApp } from "../support/app.ts";

let app: TestApp | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

const TOKEN = "ops-e2e-token-3f9c2a7d41b8e605";

describe("/metrics and /readyz are not open on the webhook port", () => {
  it("by default: not served on the webhook port at all; /healthz stays open", async () => {
    app = await startTestApp();
    expect((await fetch(`${app.url}/metrics`)).status).toBe(404);
    expect((await fetch(`${app.url}/readyz`)).status).toBe(404);
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  });

  it("with AGENT_OPS_TOKEN: refused without the token, served with it, and the token never logged", async () => {
    app = await startTestApp({ env: { AGENT_OPS_TOKEN: TOKEN } });
    const refused = await fetch(`${app.url}/metrics`, { headers: { authorization: "Bearer wrong-token-0123456789" } });
    expect(refused.status).toBe(401);
    expect((await fetch(`${app.url}/metrics`)).status).toBe(401);
    const served = await fetch(`${app.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(served.status).toBe(200);
    expect(await served.text()).toMatch(/^issuesmith_webhook_deliveries_total|^# HELP issuesmith_/m);
    expect((await fetch(`${app.url}/readyz`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    expect(app.logs.join("\n")).not.toContain(TOKEN);
  });

  it("with AGENT_OPS_PORT: served openly on that port, still not on the webhook port", async () => {
    const port = await freePort();
    app = await startTestApp({ env: { AGENT_OPS_PORT: String(port), HOST: "127.0.0.1" } });
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    expect((await fetch(`${app.url}/metrics`)).status).toBe(404);
  });
});

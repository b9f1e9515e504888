import { describe, expect, it } from "vitest";
import { loadEnv } from "../../src/config/env.ts";
import { DEFAULT_LINK_LIFETIME_S, LinkSigner } from "../../src/trajectory/signing.ts";

describe("signed job links", () => {
  const now = Date.UTC(2026, 0, 1);
  const signer = new LinkSigner({ secret: "s3cret-webhook", publicUrl: "https://agent.example.com/", now: () => now });

  it("links under the public URL with an expiry 30 days out by default", () => {
    const url = new URL(signer.link("job-1")!);
    expect(`${url.origin}${url.pathname}`).toBe("https://agent.example.com/jobs/job-1");
    expect(Number(url.searchParams.get("exp"))).toBe(now / 1000 + DEFAULT_LINK_LIFETIME_S);
    expect(url.searchParams.get("sig")).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("verifies its own link and nothing else", () => {
    const url = new URL(signer.link("job-1")!);
    const exp = url.searchParams.get("exp");
    const sig = url.searchParams.get("sig");
    expect(signer.verify("job-1", exp, sig)).toBe(true);
    expect(signer.verify("job-2", exp, sig)).toBe(false);
    expect(signer.verify("job-1", String(Number(exp) + 1), sig)).toBe(false);
    expect(signer.verify("job-1", exp, null)).toBe(false);
    expect(signer.verify("job-1", null, sig)).toBe(false);
    expect(signer.verify("job-1", exp, `${sig}=`)).toBe(false);
    expect(signer.verify("job-1", `+${exp}`, sig)).toBe(false);
  });

  it("stops verifying once the link has expired", () => {
    const url = new URL(signer.link("job-1", 60)!);
    const later = new LinkSigner({ secret: "s3cret-webhook", publicUrl: undefined, now: () => now + 61_000 });
    expect(later.verify("job-1", url.searchParams.get("exp"), url.searchParams.get("sig"))).toBe(false);
    const sooner = new LinkSigner({ secret: "s3cret-webhook", publicUrl: undefined, now: () => now + 59_000 });
    expect(sooner.verify("job-1", url.searchParams.get("exp"), url.searchParams.get("sig"))).toBe(true);
  });

  it("derives its key from the app's secret: another secret's links do not verify, and the secret is not in the link", () => {
    const other = new LinkSigner({ secret: "another-secret", publicUrl: "https://agent.example.com", now: () => now });
    const url = new URL(other.link("job-1")!);
    expect(signer.verify("job-1", url.searchParams.get("exp"), url.searchParams.get("sig"))).toBe(false);
    expect(signer.link("job-1")).not.toContain("s3cret-webhook");
  });

  it("makes no link without a public URL, and no signer without a secret", () => {
    const env = loadEnv({ WEBHOOK_SECRET: "whsec-value" });
    expect(LinkSigner.fromEnv(env)?.link("job-1")).toBeUndefined();
    expect(
      LinkSigner.fromEnv(loadEnv({ WEBHOOK_SECRET: "whsec-value", AGENT_PUBLIC_URL: "https://a.example/" }))?.link(
        "job-1",
      ),
    ).toMatch(/^https:\/\/a\.example\/jobs\/job-1\?exp=\d+&sig=/);
    expect(LinkSigner.fromEnv(loadEnv({}))).toBeUndefined();
  });

  it("escapes job ids in the path", () => {
    expect(signer.link("a/b?c")).toContain("/jobs/a%2Fb%3Fc?exp=");
  });
});

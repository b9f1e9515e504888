import { describe, expect, it } from "vitest";
import { Redactor } from "../../src/security/redact.ts";

const SECRET = "deploy-Key_9f8e7d6c5b4a3210zz";
const r = new Redactor([SECRET]);

const reverse = (s: string) => [...s].reverse().join("");
const fullyPercentEncoded = (s: string) =>
  [...Buffer.from(s)].map((b) => `%${b.toString(16).padStart(2, "0")}`).join("");

describe("the redactor hides an opted-in secret in every form a script would print it", () => {
  const forms: Record<string, string> = {
    raw: SECRET,
    "hex, lower case": Buffer.from(SECRET).toString("hex"),
    "hex, upper case": Buffer.from(SECRET).toString("hex").toUpperCase(),
    base64: Buffer.from(SECRET).toString("base64"),
    "base64 without padding": Buffer.from(SECRET).toString("base64").replace(/=+$/, ""),
    base64url: Buffer.from(SECRET).toString("base64url"),
    reversed: reverse(SECRET),
    "URL-encoded": encodeURIComponent(SECRET),
    "every byte percent-encoded": fullyPercentEncoded(SECRET),
    "every byte percent-encoded, upper case": fullyPercentEncoded(SECRET).toUpperCase(),
  };
  for (const [name, form] of Object.entries(forms)) {
    it(`hides it ${name}`, () => {
      const out = r.redact(`before ${form} after`);
      expect(out).toBe("before [REDACTED] after");
    });
  }

  it("hides it base64-encoded inside a longer text, at each of the three byte offsets", () => {
    for (const prefix of ["", "K", "KE", "KEY=", "DEPLOY_KEY="]) {
      for (const url of [false, true]) {
        const encoded = Buffer.from(`${prefix}${SECRET}\n`).toString(url ? "base64url" : "base64");
        const out = r.redact(encoded);
        // What is left cannot be decoded back to the secret, nor to any 4 bytes in a row of it.
        const decoded = Buffer.from(out.replace("[REDACTED]", ""), url ? "base64url" : "base64").toString("latin1");
        expect(out, `prefix ${JSON.stringify(prefix)}`).toContain("[REDACTED]");
        for (let i = 0; i + 8 <= SECRET.length; i++) expect(decoded).not.toContain(SECRET.slice(i, i + 8));
      }
    }
  });

  it("hides it split across lines, in any encoding", () => {
    const hex = Buffer.from(SECRET).toString("hex");
    const cases = [
      `${SECRET.slice(0, 10)}\n${SECRET.slice(10)}`,
      `${hex.slice(0, 20)}\r\n${hex.slice(20, 40)}\n${hex.slice(40)}`,
      Buffer.from(`${SECRET}${SECRET}${SECRET}`)
        .toString("base64")
        .replace(/(.{16})/g, "$1\n"),
      `part one: ${reverse(SECRET).slice(0, 7)}\n  ${reverse(SECRET).slice(7)}`,
    ];
    for (const text of cases) {
      const out = r.redact(`start\n${text}\nend`);
      expect(out, text).toContain("[REDACTED]");
      expect(out.replace(/\s+/g, ""), text).not.toContain(SECRET);
      expect(out.replace(/\s+/g, "").toLowerCase(), text).not.toContain(hex);
      expect(out.replace(/\s+/g, ""), text).not.toContain(reverse(SECRET));
    }
  });

  it("leaves the lines around a split secret as they were", () => {
    const out = r.redact(`first line\n${SECRET.slice(0, 12)}\n${SECRET.slice(12)}\nlast line`);
    expect(out).toBe("first line\n[REDACTED]\nlast line");
  });

  it("does not hide text that only looks like part of a form", () => {
    const text = "tests passed: 12\nhex 6465706c6f79 base64 ZGVwbG95 ok";
    expect(r.redact(text)).toBe(text);
  });

  it("keeps hiding what a parent knew in a child, and forms of the values added to the child", () => {
    const child = r.child(["another-secret-value-42"]);
    expect(child.redact(Buffer.from(SECRET).toString("hex"))).toBe("[REDACTED]");
    expect(child.redact(reverse("another-secret-value-42"))).toBe("[REDACTED]");
    expect(r.redact("another-secret-value-42")).toBe("another-secret-value-42");
  });
});

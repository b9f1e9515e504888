// Who is calling: the app itself (a JWT signed with its private key) or an
// installation (a `ghs_` token this fake issued). Checked like GitHub does,
// so a wrong key, an expired token or a missing header fails the test.
import { createPublicKey, randomBytes, verify, type KeyObject } from "node:crypto";
import type { FakeState, TokenRecord } from "./state.ts";

export type Caller =
  { kind: "app" } | { kind: "installation"; token: TokenRecord } | { kind: "anonymous"; reason: string };

export function appPublicKey(options: { publicKey?: string | KeyObject; privateKey?: string | KeyObject }): KeyObject {
  const source = options.publicKey ?? options.privateKey;
  if (!source) throw new Error("createFakeGitHub needs the app's publicKey or privateKey to verify its JWTs");
  return createPublicKey(source);
}

/** Reads `Authorization` the ways GitHub accepts: `Bearer <jwt|token>`, `token <token>`, Basic with the token as password. */
export function credentialFrom(header: string | undefined): string | null {
  if (!header) return null;
  const [scheme = "", value = ""] = header.trim().split(/\s+/, 2);
  const lower = scheme.toLowerCase();
  if (lower === "bearer" || lower === "token") return value || null;
  if (lower === "basic") {
    const decoded = Buffer.from(value, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    return colon >= 0 ? decoded.slice(colon + 1) || null : null;
  }
  return null;
}

export function identify(
  state: FakeState,
  header: string | undefined,
  appId: number,
  key: KeyObject,
  now = Date.now(),
): Caller {
  const credential = credentialFrom(header);
  if (!credential) return { kind: "anonymous", reason: "no credentials" };
  if (credential.split(".").length === 3) {
    const problem = jwtProblem(credential, appId, key, now);
    return problem ? { kind: "anonymous", reason: problem } : { kind: "app" };
  }
  const token = state.tokens.get(credential);
  if (!token) return { kind: "anonymous", reason: "unknown token" };
  if (token.expiresAt <= now) return { kind: "anonymous", reason: "expired token" };
  return { kind: "installation", token };
}

function jwtProblem(jwt: string, appId: number, key: KeyObject, now: number): string | null {
  const [header = "", payload = "", signature = ""] = jwt.split(".");
  let parsedHeader: { alg?: string };
  let claims: { iat?: number; exp?: number; iss?: string | number };
  try {
    parsedHeader = JSON.parse(Buffer.from(header, "base64url").toString("utf8")) as typeof parsedHeader;
    claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as typeof claims;
  } catch {
    return "malformed JWT";
  }
  if (parsedHeader.alg !== "RS256") return `JWT alg ${String(parsedHeader.alg)} is not RS256`;
  const ok = verify("RSA-SHA256", Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, "base64url"));
  if (!ok) return "JWT signature does not match the app's key";
  if (String(claims.iss) !== String(appId)) return `JWT iss ${String(claims.iss)} is not app ${appId}`;
  const seconds = Math.floor(now / 1000);
  if (typeof claims.exp !== "number" || claims.exp <= seconds) return "JWT expired";
  if (typeof claims.iat !== "number" || claims.iat > seconds + 60) return "JWT issued in the future";
  // GitHub refuses JWTs valid for more than ten minutes
  if (claims.exp - claims.iat > 600 + 60) return "JWT lifetime exceeds 10 minutes";
  return null;
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

export function newToken(): string {
  const bytes = randomBytes(36);
  let out = "ghs_";
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length];
  return out;
}

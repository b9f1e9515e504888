// Signed links to job pages. A private repository's job must not be public,
// so the page is reachable only through an unguessable URL the app itself
// handed out (in the progress comment and the PR body), and only until it
// expires. The key is derived from the app's own secret with a fixed label,
// so it needs no setting of its own and is useless for anything else.
import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import type { AppEnv } from "../config/env.ts";

/** Links stay valid this long by default: long enough to audit a PR after review. */
export const DEFAULT_LINK_LIFETIME_S = 30 * 24 * 3600;

const KEY_LABEL = "issuesmith job page link v1";

export interface LinkSignerOptions {
  /** The app's secret (WEBHOOK_SECRET, or the private key when there is none). */
  secret: string;
  /** Where the app is reachable, without a trailing slash; no links without it. */
  publicUrl: string | undefined;
  lifetimeS?: number;
  now?: () => number;
}

export class LinkSigner {
  readonly #key: Buffer;
  readonly #publicUrl: string | undefined;
  readonly #lifetimeS: number;
  readonly #now: () => number;

  constructor(options: LinkSignerOptions) {
    if (!options.secret) throw new Error("a link signer needs a secret");
    this.#key = Buffer.from(hkdfSync("sha256", options.secret, Buffer.alloc(0), KEY_LABEL, 32));
    this.#publicUrl = options.publicUrl?.replace(/\/+$/, "");
    this.#lifetimeS = options.lifetimeS ?? DEFAULT_LINK_LIFETIME_S;
    this.#now = options.now ?? Date.now;
  }

  /** The signer for this app, or undefined when it has no secret to derive a key from. */
  static fromEnv(env: AppEnv, options: { lifetimeS?: number; now?: () => number } = {}): LinkSigner | undefined {
    const secret = env.github.webhookSecret ?? env.github.privateKey;
    if (!secret) return undefined;
    return new LinkSigner({ secret, publicUrl: env.server.publicUrl, ...options });
  }

  /** The path and query of a job's page, valid for the lifetime from now. */
  path(jobId: string, lifetimeS = this.#lifetimeS): string {
    const exp = Math.floor(this.#now() / 1000) + lifetimeS;
    return `/jobs/${encodeURIComponent(jobId)}?exp=${exp}&sig=${this.#sign(jobId, exp)}`;
  }

  /** The full signed URL; undefined when the app has no public URL. */
  link(jobId: string, lifetimeS?: number): string | undefined {
    if (!this.#publicUrl) return undefined;
    return `${this.#publicUrl}${this.path(jobId, lifetimeS)}`;
  }

  /** True only for an unexpired link this signer made for exactly this job. */
  verify(jobId: string, exp: string | null, sig: string | null): boolean {
    if (!exp || !sig || !/^\d{1,12}$/.test(exp)) return false;
    const expiry = Number(exp);
    if (expiry * 1000 < this.#now()) return false;
    const expected = Buffer.from(this.#sign(jobId, expiry));
    const given = Buffer.from(sig);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  #sign(jobId: string, exp: number): string {
    return createHmac("sha256", this.#key).update(`${jobId}\n${exp}`).digest("base64url");
  }
}

// The fake app's RSA key pair, made at run time (no key is ever committed).
// PKCS#1 PEM, the format GitHub hands out for a GitHub App.
import { generateKeyPair } from "node:crypto";

export interface AppKeys {
  /** "-----BEGIN RSA PRIVATE KEY-----" PEM, for PRIVATE_KEY. */
  privateKey: string;
  /** SPKI PEM, for createFakeGitHub({ publicKey }). */
  publicKey: string;
}

let cached: Promise<AppKeys> | undefined;

/** One key pair per process: generating RSA keys costs tens of milliseconds each. */
export function appKeys(): Promise<AppKeys> {
  cached ??= newAppKeys();
  return cached;
}

/** A fresh key pair, for tests about a wrong key. */
export function newAppKeys(): Promise<AppKeys> {
  return new Promise((resolve, reject) => {
    generateKeyPair(
      "rsa",
      {
        modulusLength: 2048,
        publicKeyEncoding: { type: "spki", format: "pem" },
        privateKeyEncoding: { type: "pkcs1", format: "pem" },
      },
      (error, publicKey, privateKey) => (error ? reject(error) : resolve({ publicKey, privateKey })),
    );
  });
}

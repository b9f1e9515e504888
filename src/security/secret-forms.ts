// The forms a secret takes when code that saw it tries to carry it out past
// the redactor (ARCHITECTURE.md §6): hex, base64 and base64url at any byte
// alignment, reversed, URL-encoded. The redactor hides each form as it hides
// the value itself.

export interface SecretForms {
  /** Compared byte for byte. */
  exact: string[];
  /** Compared ignoring case (hex digits, percent escapes). */
  caseless: string[];
}

/**
 * An encoded run shorter than this is likely to occur by chance (a base64
 * fragment of 4 characters, say), so it is not hidden on its own.
 */
const MIN_FORM_LENGTH = 8;

export function secretForms(secret: string): SecretForms {
  const bytes = Buffer.from(secret);
  const exact = new Set<string>([secret, reverse(secret)]);
  const caseless = new Set<string>([bytes.toString("hex"), reverse(bytes.toString("hex"))]);
  for (const b64 of base64Forms(bytes)) {
    exact.add(b64);
    exact.add(toBase64Url(b64));
  }
  const uri = encodeURIComponent(secret);
  exact.add(uri);
  exact.add(uri.replace(/%20/g, "+"));
  // Every byte escaped: what a script writes to slip past a check for the raw value.
  caseless.add([...bytes].map((b) => `%${b.toString(16).padStart(2, "0")}`).join(""));
  const keep = (s: string) => s.length >= MIN_FORM_LENGTH || s === secret;
  return { exact: [...exact].filter(keep), caseless: [...caseless].filter(keep) };
}

/**
 * Base64 of the secret as it appears inside a longer encoded text: the whole
 * encoding (with and without padding) and, for each of the three byte offsets
 * at which it can start, the run of characters that depend on its bytes alone.
 */
function base64Forms(bytes: Buffer): string[] {
  const whole = bytes.toString("base64");
  const forms = [whole, whole.replace(/=+$/, "")];
  for (let offset = 0; offset < 3; offset++) {
    // `offset` bytes before the secret share its first group; that group is skipped.
    const lead = offset === 0 ? 0 : 3 - offset;
    const usable = bytes.length - lead;
    if (usable < 3) continue;
    const groups = Math.floor(usable / 3);
    const padded = Buffer.concat([Buffer.alloc(offset), bytes]).toString("base64");
    const start = offset === 0 ? 0 : 4;
    forms.push(padded.slice(start, start + groups * 4));
  }
  return forms;
}

function toBase64Url(b64: string): string {
  return b64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function reverse(s: string): string {
  return [...s].reverse().join("");
}

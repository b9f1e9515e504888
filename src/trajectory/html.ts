// The only way text gets into the job page: escaped. Model output, tool
// output, issue text and diffs are all hostile; nothing is ever inserted raw.

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** HTML made by this module's callers from escaped parts; a string of it is trusted markup. */
export interface Html {
  readonly html: string;
}

function isHtml(v: unknown): v is Html {
  return typeof v === "object" && v !== null && "html" in v && typeof (v as Html).html === "string";
}

type Part = Html | string | number | undefined | null | false | Part[];

function render(part: Part): string {
  if (part === undefined || part === null || part === false) return "";
  if (Array.isArray(part)) return part.map(render).join("");
  if (isHtml(part)) return part.html;
  return escapeHtml(String(part));
}

/** Tagged template: literal parts are markup, every interpolated value is escaped unless it is Html. */
export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0] ?? "";
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? "");
  });
  return { html: out };
}

export function join(parts: Part[]): Html {
  return { html: render(parts) };
}

// `/agent <verb> [free text]` at the start of a line, anywhere in a comment,
// review body or review comment. The command prefix is configurable.

export const VERBS = ["fix", "plan", "update", "stop", "retry", "help"] as const;
export type Verb = (typeof VERBS)[number];

export type Command =
  /**
   * `model`: `--model <name>` (or `--model=<name>`) on the command's line; `attempts`: `--attempts <n>`
   * as written (the handler checks it: config/repo-config.ts parseAttemptsFlag).
   */
  | { verb: Verb; text: string; model?: string; attempts?: string }
  /** The prefix was there but the verb is not one we know: the reply is the help text. */
  | { verb: "unknown"; word: string; text: string };

/**
 * The first command in `body`, or undefined when there is none. Quoted lines
 * (`> /agent fix`) and fenced code blocks are not commands: people quote and
 * document the app without meaning to trigger it.
 */
export function parseCommand(body: string | null | undefined, prefix = "/agent"): Command | undefined {
  if (!body) return undefined;
  const lines = body.replace(/\r\n?/g, "\n").split("\n");
  let inFence = false;
  const p = prefix.toLowerCase();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (/^(```|~~~)/.test(line)) {
      inFence = !inFence;
      continue;
    }
    if (inFence || line.startsWith(">")) continue;
    const lower = line.toLowerCase();
    if (!lower.startsWith(p)) continue;
    const rest = line.slice(prefix.length);
    // "/agentic" is not "/agent".
    if (rest !== "" && !/^\s/.test(rest)) continue;
    const [word = "", ...given] = rest.trim().split(/\s+/);
    const { words, model, attempts } = takeFlags(given);
    // Free text continues on the following lines, up to the next command.
    const following = lines
      .slice(i + 1)
      .join("\n")
      .trim();
    const text = [words.join(" "), following].filter(Boolean).join("\n").trim();
    if (word === "") return { verb: "fix", text: following };
    const verb = word.toLowerCase();
    if ((VERBS as readonly string[]).includes(verb))
      return {
        verb: verb as Verb,
        text,
        ...(model !== undefined ? { model } : {}),
        ...(attempts !== undefined ? { attempts } : {}),
      };
    return { verb: "unknown", word, text };
  }
  return undefined;
}

/** Splits `--model <name>` / `--model=<name>` and `--attempts <n>` / `--attempts=<n>` out of the command line's words. */
function takeFlags(words: string[]): { words: string[]; model: string | undefined; attempts: string | undefined } {
  const out: string[] = [];
  const flags: Record<"model" | "attempts", string | undefined> = { model: undefined, attempts: undefined };
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const flag = /^--(model|attempts)(=(.+))?$/i.exec(w);
    const name = flag?.[1]?.toLowerCase() as "model" | "attempts" | undefined;
    if (name && flag?.[3] !== undefined) flags[name] = flag[3];
    else if (name && words[i + 1] !== undefined) flags[name] = words[++i];
    else out.push(w);
  }
  return { words: out, ...flags };
}

/** Cheap test before any lookup: every command prefix starts a line with "/". */
export function mayHoldCommand(body: string | null | undefined): boolean {
  return !!body && /^[ \t]*\//m.test(body);
}

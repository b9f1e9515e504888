// Commands that wait for a terminal never finish in the sandbox (stdin is
// closed, there is no TTY): they only burn the time limit. Catch the obvious
// ones before running and say what to do instead.

const EDITORS = new Set(["vim", "vi", "nvim", "nano", "emacs", "pico", "joe", "mcedit", "micro", "kak", "hx"]);
const PAGERS = new Set(["less", "more", "most", "man"]);
const MONITORS = new Set(["top", "htop", "btop", "atop", "iotop", "watch", "glances"]);
/** Interpreters that start a REPL when given nothing to run. */
const REPLS = new Set([
  "python",
  "python2",
  "python3",
  "ipython",
  "node",
  "deno",
  "bun",
  "irb",
  "pry",
  "ghci",
  "lua",
  "R",
  "scala",
  "clojure",
  "php",
  "perl",
  "bash",
  "sh",
  "zsh",
  "fish",
  "psql",
  "mysql",
  "sqlite3",
  "redis-cli",
  "mongo",
  "mongosh",
]);
const REMOTE = new Set(["ssh", "telnet", "ftp", "sftp"]);
const PREFIXES = new Set(["sudo", "time", "exec", "nohup", "env", "command", "nice", "timeout", "stdbuf"]);

/** Why a command would hang waiting for a terminal, with what to do instead; undefined when it looks fine. */
export function interactiveReason(command: string): string | undefined {
  for (const { words, piped } of segments(command)) {
    const [name, ...rest] = words;
    if (!name) continue;
    const base = name.split("/").pop() ?? name;
    if (
      EDITORS.has(base) &&
      !(base === "emacs" && rest.some((a) => a === "--batch" || a === "-batch" || a === "--script"))
    ) {
      return `\`${base}\` is an interactive editor and there is no terminal. Change files with \`edit\`, \`insert\` or \`create\` (or \`sed -i\` in a command).`;
    }
    if (PAGERS.has(base)) {
      return base === "man"
        ? "`man` needs a terminal. Try `<command> --help` instead."
        : `\`${base}\` is a pager and there is no terminal. Use \`view\` for files, or \`head\`/\`tail\`/\`sed -n '10,40p'\` on output.`;
    }
    if (MONITORS.has(base))
      return `\`${base}\` runs until stopped and needs a terminal. For a snapshot use \`ps aux\`, or run the command once.`;
    if (REMOTE.has(base)) return `\`${base}\` is interactive, and the sandbox has no network.`;
    const interactiveFlag =
      rest.some((a) => a === "-i" || a === "--interactive") &&
      ["python", "python2", "python3", "node", "bash", "sh"].includes(base);
    if (
      REPLS.has(base) &&
      !piped &&
      (rest.length === 0 || interactiveFlag || (base === "deno" && rest[0] === "repl"))
    ) {
      return `\`${words.join(" ")}\` would start an interactive session, and stdin is closed. Pass the code to run (\`python3 -c '...'\`, \`node -e '...'\`), run a script file, or feed it with a heredoc (\`python3 <<'EOF' ... EOF\`).`;
    }
    if (base === "git") {
      const reason = gitReason(rest);
      if (reason) return reason;
    }
  }
  return undefined;
}

function gitReason(args: string[]): string | undefined {
  // Skip global options (`git -C dir -c k=v commit`).
  let i = 0;
  while (i < args.length && args[i]!.startsWith("-"))
    i += ["-C", "-c", "--git-dir", "--work-tree"].includes(args[i]!) ? 2 : 1;
  const sub = args[i];
  const rest = args.slice(i + 1);
  // Short flags may be clustered (`-am msg`) or carry their value (`-mmsg`).
  const has = (...flags: string[]) =>
    rest.some((a) =>
      flags.some(
        (f) =>
          a === f ||
          a.startsWith(`${f}=`) ||
          (f.length === 2 && /^-[A-Za-z]/.test(a) && !a.startsWith("--") && a.slice(1).includes(f[1]!)),
      ),
    );
  if (sub === "commit" && !has("-m", "--message", "-F", "--file", "-C", "--reuse-message", "--no-edit", "--fixup")) {
    return "`git commit` without `-m` opens an editor, and there is no terminal. You do not need to commit at all: the app commits and pushes your changes when you `finish`.";
  }
  if (
    (sub === "rebase" && has("-i", "--interactive")) ||
    (sub === "add" && has("-p", "--patch", "-i", "--interactive")) ||
    sub === "mergetool" ||
    sub === "difftool"
  ) {
    return `\`git ${sub}\` in this form is interactive, and there is no terminal. The app handles commits and branches; leave history as it is.`;
  }
  return undefined;
}

/** Simple commands of a command line, split on `;`, `&&`, `||`, `|`, newlines; quotes respected roughly. */
function segments(command: string): Array<{ words: string[]; piped: boolean }> {
  const out: Array<{ words: string[]; piped: boolean }> = [];
  let words: string[] = [];
  let word = "";
  let quote: '"' | "'" | undefined;
  let piped = false;
  let heredoc = false;
  const endWord = () => {
    if (word) words.push(word);
    word = "";
  };
  const endSegment = (nextPiped: boolean) => {
    endWord();
    if (words.length > 0)
      out.push({ words: stripPrefixes(words), piped: piped || heredoc || words.some((w) => w.startsWith("<")) });
    words = [];
    piped = nextPiped;
    heredoc = false;
  };
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else word += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      continue;
    }
    if (c === "<") heredoc = true; // input redirected: not waiting on a terminal
    if (c === "&" && (command[i - 1] === ">" || command[i + 1] === ">")) {
      word += c; // 2>&1, &>file: a redirection, not a separator
      continue;
    }
    if (c === ";" || c === "\n" || c === "&" || c === "|") {
      const next = command[i + 1];
      const isPipe = c === "|" && next !== "|";
      if ((c === "&" || c === "|") && next === c) i++;
      endSegment(isPipe);
      continue;
    }
    if (c === " " || c === "\t") endWord();
    else word += c;
  }
  endSegment(false);
  return out;
}

function stripPrefixes(words: string[]): string[] {
  let i = 0;
  while (i < words.length) {
    const w = words[i]!;
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) i++;
    else if (PREFIXES.has(w)) {
      i++;
      // `timeout 10 cmd`, `nice -n 5 cmd`: skip the prefix's own arguments.
      while (i < words.length && (/^-/.test(words[i]!) || /^\d+[smhd]?$/.test(words[i]!))) i++;
    } else break;
  }
  return words.slice(i);
}

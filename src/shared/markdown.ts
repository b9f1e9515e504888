// Markdown for text we did not write (config keys, file names, error
// messages): a code span that no backtick inside can end early.

/** `text` as one inline code span, its fence longer than any run of backticks in it (CommonMark). */
export function inlineCode(text: string): string {
  const one = text.replace(/[\r\n]+/g, " ");
  const longest = Math.max(0, ...(one.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  // A span that starts or ends with a backtick needs a space inside its fence.
  const pad = one.startsWith("`") || one.endsWith("`") ? " " : "";
  return `${fence}${pad}${one}${pad}${fence}`;
}

/** `text` as a fenced code block whose fence (backticks, at least three) no run of backticks inside can close. */
export function codeBlock(text: string): string {
  const longest = Math.max(0, ...(text.match(/`{3,}/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}\n${text.trimEnd()}\n${fence}`;
}

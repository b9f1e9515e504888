// The PR body keeps one "Latest revision" section the app rewrites on each
// revision; everything else in the body (people's edits included) stays.
const START = "<!-- issuesmith:revision -->";
const END = "<!-- /issuesmith:revision -->";

export function updateRevisionSection(body: string, section: string): string {
  const block = `${START}\n## Latest revision\n\n${section.trim()}\n${END}`;
  const s = body.indexOf(START);
  const e = body.indexOf(END);
  if (s !== -1 && e > s) return `${body.slice(0, s)}${block}${body.slice(e + END.length)}`;
  // Before the footer line when there is one, else at the end.
  const footer = body.lastIndexOf("\n---\n");
  if (footer !== -1) return `${body.slice(0, footer)}\n\n${block}\n${body.slice(footer)}`;
  return `${body.trimEnd()}\n\n${block}\n`;
}

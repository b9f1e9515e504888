/**
 * Parse CSV text whose first line is a header into one object per row.
 * Quoted fields may hold commas and doubled quotes ("" stands for ").
 * @param {string} text
 * @returns {Record<string, string>[]}
 */
export function parseCsv(text) {
  const lines = text.split(/\r?\n/).filter((l) => l !== "");
  const rows = [];
  for (const line of lines) {
    const fields = [];
    let field = "";
    let quoted = false;
    let quoteAt = -1;
    for (let i = 0; i < line.length; i++) {
      const ch = line[i];
      if (quoted) {
        if (ch === '"' && line[i + 1] === '"') {
          field += '"';
          i++;
        } else if (ch === '"') {
          quoted = false;
        } else {
          field += ch;
        }
      } else if (ch === '"') {
        quoted = true;
        quoteAt = i;
      } else if (ch === ",") {
        fields.push(field);
        field = "";
      } else {
        field += ch;
      }
    }
    if (quoted) throw new SyntaxError(`unterminated quote at character ${quoteAt} of: ${line}`);
    fields.push(field);
    rows.push(fields);
  }
  const [header = [], ...body] = rows;
  return body.map((fields) => Object.fromEntries(header.map((name, i) => [name, fields[i] ?? ""])));
}

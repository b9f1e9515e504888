// A small GraphQL parser: operations, variables, fields with aliases and
// arguments, inline fragments and named fragments. Enough to answer the few
// queries the app sends the way GitHub would, selection by selection.

export type GqlValue =
  null | boolean | number | string | GqlValue[] | { [key: string]: GqlValue } | { $var: string } | { $enum: string };

export interface GqlField {
  kind: "field";
  alias: string;
  name: string;
  args: Record<string, GqlValue>;
  selections: GqlSelection[] | null;
}

export interface GqlFragmentSpread {
  kind: "fragment";
  /** null for `... { }` without a type condition. */
  on: string | null;
  selections: GqlSelection[];
}

export type GqlSelection = GqlField | GqlFragmentSpread;

export interface GqlOperation {
  type: "query" | "mutation" | "subscription";
  name: string | null;
  variableDefaults: Record<string, GqlValue>;
  selections: GqlSelection[];
}

export class GqlSyntaxError extends Error {}

const PUNCT = /^(\.\.\.|[!$():=@[\]{}|&])/;
const NAME = /^[_A-Za-z][_0-9A-Za-z]*/;
const NUMBER = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/;

function tokenize(source: string): string[] {
  const tokens: string[] = [];
  let rest = source;
  while (rest.length > 0) {
    const space = /^([\s,\uFEFF]+|#[^\n]*)/.exec(rest);
    if (space) {
      rest = rest.slice(space[0].length);
      continue;
    }
    const block = /^"""([\s\S]*?)"""/.exec(rest);
    const string = /^"((?:[^"\\\n]|\\.)*)"/.exec(rest);
    const match = block ?? string ?? PUNCT.exec(rest) ?? NAME.exec(rest) ?? NUMBER.exec(rest);
    if (!match) throw new GqlSyntaxError(`Parse error on "${rest.slice(0, 20)}"`);
    tokens.push(match[0]);
    rest = rest.slice(match[0].length);
  }
  return tokens;
}

export function parseOperation(source: string, operationName?: string | null): GqlOperation {
  const tokens = tokenize(source);
  let i = 0;
  const peek = () => tokens[i];
  const next = () => {
    const t = tokens[i++];
    if (t === undefined) throw new GqlSyntaxError("Parse error: unexpected end of document");
    return t;
  };
  const expect = (t: string) => {
    const got = next();
    if (got !== t) throw new GqlSyntaxError(`Parse error: expected ${t}, got ${got}`);
  };
  const name = () => {
    const t = next();
    if (!NAME.test(t)) throw new GqlSyntaxError(`Parse error: expected a name, got ${t}`);
    return t;
  };

  const value = (): GqlValue => {
    const t = next();
    if (t === "$") return { $var: name() };
    if (t === "[") {
      const list: GqlValue[] = [];
      while (peek() !== "]") list.push(value());
      expect("]");
      return list;
    }
    if (t === "{") {
      const obj: Record<string, GqlValue> = {};
      while (peek() !== "}") {
        const key = name();
        expect(":");
        obj[key] = value();
      }
      expect("}");
      return obj;
    }
    if (t.startsWith('"""')) return t.slice(3, -3);
    if (t.startsWith('"')) return JSON.parse(t) as string;
    if (NUMBER.test(t) && !NAME.test(t)) return Number(t);
    if (t === "true" || t === "false") return t === "true";
    if (t === "null") return null;
    if (NAME.test(t)) return { $enum: t };
    throw new GqlSyntaxError(`Parse error on ${t}`);
  };

  const skipDirectives = () => {
    while (peek() === "@") {
      next();
      name();
      if (peek() === "(") args();
    }
  };

  const args = (): Record<string, GqlValue> => {
    const out: Record<string, GqlValue> = {};
    expect("(");
    while (peek() !== ")") {
      const key = name();
      expect(":");
      out[key] = value();
    }
    expect(")");
    return out;
  };

  const fragments = new Map<string, GqlFragmentSpread>();
  const pendingSpreads: { spread: GqlFragmentSpread; name: string }[] = [];

  const selectionSet = (): GqlSelection[] => {
    expect("{");
    const out: GqlSelection[] = [];
    while (peek() !== "}") {
      if (peek() === "...") {
        next();
        if (peek() === "on") {
          next();
          const on = name();
          skipDirectives();
          out.push({ kind: "fragment", on, selections: selectionSet() });
        } else if (peek() === "{" || peek() === "@") {
          skipDirectives();
          out.push({ kind: "fragment", on: null, selections: selectionSet() });
        } else {
          const spread: GqlFragmentSpread = { kind: "fragment", on: null, selections: [] };
          pendingSpreads.push({ spread, name: name() });
          skipDirectives();
          out.push(spread);
        }
        continue;
      }
      const alias = name();
      let field = alias;
      if (peek() === ":") {
        next();
        field = name();
      }
      const fieldArgs = peek() === "(" ? args() : {};
      skipDirectives();
      out.push({
        kind: "field",
        alias,
        name: field,
        args: fieldArgs,
        selections: peek() === "{" ? selectionSet() : null,
      });
    }
    expect("}");
    return out;
  };

  const operations: GqlOperation[] = [];
  while (i < tokens.length) {
    if (peek() === "{") {
      operations.push({ type: "query", name: null, variableDefaults: {}, selections: selectionSet() });
      continue;
    }
    const keyword = name();
    if (keyword === "fragment") {
      const fragmentName = name();
      expect("on");
      const on = name();
      skipDirectives();
      fragments.set(fragmentName, { kind: "fragment", on, selections: selectionSet() });
      continue;
    }
    if (keyword !== "query" && keyword !== "mutation" && keyword !== "subscription")
      throw new GqlSyntaxError(`Parse error on "${keyword}"`);
    const opName = peek() !== "(" && peek() !== "{" && peek() !== "@" ? name() : null;
    const defaults: Record<string, GqlValue> = {};
    if (peek() === "(") {
      next();
      while (peek() !== ")") {
        expect("$");
        const variable = name();
        expect(":");
        // the type is not checked: skip it
        while (peek() !== ")" && peek() !== "$" && peek() !== "=") next();
        if (peek() === "=") {
          next();
          defaults[variable] = value();
        }
      }
      expect(")");
    }
    skipDirectives();
    operations.push({ type: keyword, name: opName, variableDefaults: defaults, selections: selectionSet() });
  }
  for (const { spread, name: fragmentName } of pendingSpreads) {
    const fragment = fragments.get(fragmentName);
    if (!fragment) throw new GqlSyntaxError(`Fragment ${fragmentName} was used, but not defined`);
    spread.on = fragment.on;
    spread.selections = fragment.selections;
  }
  const chosen = operationName
    ? operations.find((o) => o.name === operationName)
    : operations.length === 1
      ? operations[0]
      : undefined;
  if (!chosen)
    throw new GqlSyntaxError(
      operationName
        ? `Unknown operation named "${operationName}"`
        : "An operation name is required when the document has several operations",
    );
  return chosen;
}

// GitHub's GraphQL API, the part the app uses: a PR's review threads, and the
// mutations to mark a PR ready / resolve a thread. Anything else answers with
// a GraphQL error (and lands in fake.errors), as an unknown field would.
import {
  parseOperation,
  GqlSyntaxError,
  type GqlOperation,
  type GqlSelection,
  type GqlValue,
} from "./graphql-parse.ts";
import { GRAPHQL_NEEDS, missing } from "./permissions.ts";
import { refreshPullHead } from "./pull-git.ts";
import type { ShapeContext } from "./shapes/common.ts";
import type { PullRecord, RepoRecord, ReviewCommentRecord, ReviewThreadRecord } from "./state.ts";

type Args = Record<string, unknown>;
type Resolver = (args: Args) => unknown;

/** An object of some GraphQL type: its fields, resolved on demand. */
interface GqlObject {
  __typename: string;
  /** Interfaces it implements, for `... on Node`. */
  interfaces?: string[];
  fields: Record<string, Resolver>;
}

export class GqlError extends Error {
  readonly type: string | undefined;
  constructor(message: string, type?: string) {
    super(message);
    this.type = type;
  }
}

export interface GraphqlResult {
  body: { data: unknown; errors?: { message: string; type?: string; path?: (string | number)[] }[] };
}

/**
 * `granted`: the calling token's permissions. Every query the fake answers is
 * about pull requests (pull_requests: read) and every mutation changes one
 * (pull_requests: write); GitHub answers a token without them with a FORBIDDEN error.
 */
export async function executeGraphql(
  ctx: ShapeContext,
  actor: string,
  request: { query?: unknown; variables?: unknown; operationName?: unknown },
  granted?: Record<string, string>,
): Promise<GraphqlResult> {
  if (typeof request.query !== "string")
    return { body: { data: null, errors: [{ message: "A query attribute must be specified and must be a string." }] } };
  let operation: GqlOperation;
  try {
    operation = parseOperation(request.query, typeof request.operationName === "string" ? request.operationName : null);
  } catch (error) {
    if (error instanceof GqlSyntaxError) return { body: { data: null, errors: [{ message: error.message }] } };
    throw error;
  }
  if (
    granted &&
    (operation.type === "query" || operation.type === "mutation") &&
    missing(granted, GRAPHQL_NEEDS[operation.type])
  ) {
    return { body: { data: null, errors: [{ type: "FORBIDDEN", message: "Resource not accessible by integration" }] } };
  }
  const variables = { ...operation.variableDefaults, ...((request.variables ?? {}) as Record<string, GqlValue>) };
  const root =
    operation.type === "mutation" ? mutationRoot(ctx, actor) : operation.type === "query" ? queryRoot(ctx) : undefined;
  if (!root) return { body: { data: null, errors: [{ message: "Subscriptions are not supported" }] } };
  const errors: NonNullable<GraphqlResult["body"]["errors"]> = [];
  const data = await selectObject(root, operation.selections, variables, [], errors);
  return { body: errors.length > 0 ? { data, errors } : { data } };
}

function evaluate(value: GqlValue, variables: Record<string, GqlValue>): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => evaluate(v, variables));
  if ("$var" in value && typeof value.$var === "string") return variables[value.$var] ?? null;
  if ("$enum" in value && typeof value.$enum === "string") return value.$enum;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, evaluate(v as GqlValue, variables)]));
}

async function selectObject(
  object: GqlObject,
  selections: GqlSelection[],
  variables: Record<string, GqlValue>,
  path: (string | number)[],
  errors: NonNullable<GraphqlResult["body"]["errors"]>,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const selection of selections) {
    if (selection.kind === "fragment") {
      if (selection.on === null || selection.on === object.__typename || object.interfaces?.includes(selection.on)) {
        Object.assign(out, await selectObject(object, selection.selections, variables, path, errors));
      }
      continue;
    }
    const here = [...path, selection.alias];
    if (selection.name === "__typename") {
      out[selection.alias] = object.__typename;
      continue;
    }
    const resolver = object.fields[selection.name];
    if (!resolver) {
      errors.push({ message: `Field '${selection.name}' doesn't exist on type '${object.__typename}'`, path: here });
      out[selection.alias] = null;
      continue;
    }
    try {
      const args = Object.fromEntries(Object.entries(selection.args).map(([k, v]) => [k, evaluate(v, variables)]));
      out[selection.alias] = await complete(
        await resolver(args),
        selection.selections,
        variables,
        here,
        errors,
        selection.name,
      );
    } catch (error) {
      errors.push({
        message: error instanceof Error ? error.message : String(error),
        ...(error instanceof GqlError && error.type ? { type: error.type } : {}),
        path: here,
      });
      out[selection.alias] = null;
    }
  }
  return out;
}

async function complete(
  value: unknown,
  selections: GqlSelection[] | null,
  variables: Record<string, GqlValue>,
  path: (string | number)[],
  errors: NonNullable<GraphqlResult["body"]["errors"]>,
  field: string,
): Promise<unknown> {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value))
    return Promise.all(value.map((v, i) => complete(v, selections, variables, [...path, i], errors, field)));
  if (typeof value === "object" && "__typename" in value) {
    if (!selections)
      throw new GqlError(
        `Field must have selections (field '${field}' returns ${(value as GqlObject).__typename} but has no selections.)`,
      );
    return selectObject(value as GqlObject, selections, variables, path, errors);
  }
  if (selections) throw new GqlError(`Selections can't be made on scalars (field '${field}')`);
  return value;
}

/** Relay-style connection with GitHub's rule that `first` or `last` is required. */
function connection<T>(
  typename: string,
  name: string,
  items: T[],
  toNode: (item: T) => GqlObject,
  args: Args,
): GqlObject {
  const first = typeof args["first"] === "number" ? args["first"] : undefined;
  const last = typeof args["last"] === "number" ? args["last"] : undefined;
  if (first === undefined && last === undefined)
    throw new GqlError(
      `You must provide a \`first\` or \`last\` value to properly paginate the \`${name}\` connection.`,
      "MISSING_PAGINATION_BOUNDARIES",
    );
  if ((first ?? last ?? 0) > 100)
    throw new GqlError(
      `Requesting ${first ?? last} records on the \`${name}\` connection exceeds the \`${first !== undefined ? "first" : "last"}\` limit of 100 records.`,
      "EXCESSIVE_PAGINATION",
    );
  const cursor = (i: number) => Buffer.from(`cursor:v2:${i}`).toString("base64");
  const index = (c: unknown) =>
    typeof c === "string" ? Number(Buffer.from(c, "base64").toString("utf8").split(":").pop()) : NaN;
  let start = Number.isFinite(index(args["after"])) ? index(args["after"]) + 1 : 0;
  let end = Number.isFinite(index(args["before"])) ? index(args["before"]) : items.length;
  if (first !== undefined) end = Math.min(end, start + first);
  else if (last !== undefined) start = Math.max(start, end - last);
  const page = items.slice(start, end).map((item, i) => ({ item, i: start + i }));
  return {
    __typename: typename,
    fields: {
      totalCount: () => items.length,
      nodes: () => page.map((p) => toNode(p.item)),
      edges: () =>
        page.map((p) => ({
          __typename: `${typename.replace(/Connection$/, "")}Edge`,
          fields: { cursor: () => cursor(p.i), node: () => toNode(p.item) },
        })),
      pageInfo: () => ({
        __typename: "PageInfo",
        fields: {
          hasNextPage: () => end < items.length,
          hasPreviousPage: () => start > 0,
          startCursor: () => (page.length > 0 ? cursor(start) : null),
          endCursor: () => (page.length > 0 ? cursor(end - 1) : null),
        },
      }),
    },
  };
}

function actorNode(ctx: ShapeContext, login: string): GqlObject {
  const user = ctx.state.user(login);
  const bot = user.type === "Bot";
  return {
    __typename: bot ? "Bot" : "User",
    interfaces: ["Actor", "Node"],
    fields: {
      // GitHub's GraphQL shows a bot without the [bot] suffix
      login: () => (bot ? login.replace(/\[bot\]$/, "") : login),
      id: () => user.nodeId,
      databaseId: () => user.id,
      url: () => `${ctx.web}/${bot ? `apps/${login.replace(/\[bot\]$/, "")}` : login}`,
      avatarUrl: () => `${ctx.web}/avatars/u/${user.id}`,
    },
  };
}

function repositoryNode(ctx: ShapeContext, repo: RepoRecord): GqlObject {
  return {
    __typename: "Repository",
    interfaces: ["Node"],
    fields: {
      id: () => repo.nodeId,
      databaseId: () => repo.id,
      name: () => repo.name,
      nameWithOwner: () => repo.fullName,
      url: () => `${ctx.web}/${repo.fullName}`,
      isPrivate: () => repo.private,
      owner: () => actorNode(ctx, repo.owner),
      defaultBranchRef: () => ({ __typename: "Ref", fields: { name: () => repo.defaultBranch } }),
      pullRequest: (args) => {
        const pull = ctx.state.pull(repo.fullName, Number(args["number"]));
        if (!pull)
          throw new GqlError(
            `Could not resolve to a PullRequest with the number of ${String(args["number"])}.`,
            "NOT_FOUND",
          );
        return pullNode(ctx, pull);
      },
    },
  };
}

function pullNode(ctx: ShapeContext, pull: PullRecord): GqlObject {
  const issue = () => {
    const found = ctx.state.issue(pull.repo, pull.number);
    if (!found) throw new GqlError("pull request without issue");
    return found;
  };
  return {
    __typename: "PullRequest",
    interfaces: ["Node"],
    fields: {
      id: () => pull.nodeId,
      databaseId: () => pull.id,
      fullDatabaseId: () => String(pull.id),
      number: () => pull.number,
      title: () => issue().title,
      body: () => issue().body ?? "",
      url: () => `${ctx.web}/${pull.repo}/pull/${pull.number}`,
      isDraft: () => pull.draft,
      state: () => (pull.merged ? "MERGED" : issue().state === "open" ? "OPEN" : "CLOSED"),
      headRefName: () => pull.headRef,
      baseRefName: () => pull.baseRef,
      headRefOid: () => refreshPullHead(ctx.state, pull),
      author: () => actorNode(ctx, issue().user),
      repository: () => {
        const repo = ctx.state.repo(pull.repo);
        return repo ? repositoryNode(ctx, repo) : null;
      },
      reviewThreads: (args) =>
        connection(
          "PullRequestReviewThreadConnection",
          "reviewThreads",
          ctx.state.reviewThreads.filter((t) => t.repo === pull.repo && t.pullNumber === pull.number),
          (t) => threadNode(ctx, t),
          args,
        ),
    },
  };
}

function threadNode(ctx: ShapeContext, thread: ReviewThreadRecord): GqlObject {
  const comments = () =>
    thread.commentIds
      .map((id) => ctx.state.reviewComments.find((c) => c.id === id))
      .filter((c): c is ReviewCommentRecord => c !== undefined);
  return {
    __typename: "PullRequestReviewThread",
    interfaces: ["Node"],
    fields: {
      id: () => thread.id,
      isResolved: () => thread.resolved,
      isOutdated: () => false,
      isCollapsed: () => thread.resolved,
      path: () => thread.path,
      line: () => thread.line,
      originalLine: () => thread.line,
      startLine: () => comments()[0]?.startLine ?? null,
      diffSide: () => comments()[0]?.side ?? "RIGHT",
      subjectType: () => (thread.line === null ? "FILE" : "LINE"),
      viewerCanResolve: () => true,
      viewerCanUnresolve: () => true,
      resolvedBy: () => (thread.resolvedBy ? actorNode(ctx, thread.resolvedBy) : null),
      pullRequest: () => {
        const pull = ctx.state.pull(thread.repo, thread.pullNumber);
        return pull ? pullNode(ctx, pull) : null;
      },
      comments: (args) =>
        connection("PullRequestReviewCommentConnection", "comments", comments(), (c) => commentNode(ctx, c), args),
    },
  };
}

function commentNode(ctx: ShapeContext, comment: ReviewCommentRecord): GqlObject {
  return {
    __typename: "PullRequestReviewComment",
    interfaces: ["Node", "Comment"],
    fields: {
      id: () => comment.nodeId,
      databaseId: () => comment.id,
      fullDatabaseId: () => String(comment.id),
      body: () => comment.body,
      path: () => comment.path,
      line: () => comment.line,
      originalLine: () => comment.line,
      startLine: () => comment.startLine,
      diffHunk: () => comment.diffHunk,
      outdated: () => false,
      createdAt: () => comment.createdAt,
      updatedAt: () => comment.updatedAt,
      url: () => `${ctx.web}/${comment.repo}/pull/${comment.pullNumber}#discussion_r${comment.id}`,
      author: () => actorNode(ctx, comment.user),
      commit: () => ({ __typename: "Commit", fields: { oid: () => comment.commitId } }),
      replyTo: () => {
        const root =
          comment.inReplyToId === null ? undefined : ctx.state.reviewComments.find((c) => c.id === comment.inReplyToId);
        return root ? commentNode(ctx, root) : null;
      },
    },
  };
}

function nodeById(ctx: ShapeContext, id: unknown): GqlObject | null {
  if (typeof id !== "string") return null;
  const pull = ctx.state.pulls.find((p) => p.nodeId === id);
  if (pull) return pullNode(ctx, pull);
  const thread = ctx.state.reviewThreads.find((t) => t.id === id);
  if (thread) return threadNode(ctx, thread);
  const comment = ctx.state.reviewComments.find((c) => c.nodeId === id);
  if (comment) return commentNode(ctx, comment);
  const repo = [...ctx.state.repos.values()].find((r) => r.nodeId === id);
  return repo ? repositoryNode(ctx, repo) : null;
}

function queryRoot(ctx: ShapeContext): GqlObject {
  return {
    __typename: "Query",
    fields: {
      repository: (args) => {
        const repo = ctx.state.repo(`${String(args["owner"])}/${String(args["name"])}`);
        if (!repo)
          throw new GqlError(
            `Could not resolve to a Repository with the name '${String(args["owner"])}/${String(args["name"])}'.`,
            "NOT_FOUND",
          );
        return repositoryNode(ctx, repo);
      },
      node: (args) => {
        const node = nodeById(ctx, args["id"]);
        if (!node)
          throw new GqlError(`Could not resolve to a node with the global id of '${String(args["id"])}'`, "NOT_FOUND");
        return node;
      },
      nodes: (args) => (Array.isArray(args["ids"]) ? args["ids"].map((id) => nodeById(ctx, id)) : []),
    },
  };
}

function input(args: Args, key: string): unknown {
  const value = args["input"];
  if (!value || typeof value !== "object")
    throw new GqlError("Argument 'input' on Field is required", "INVALID_ARGUMENTS");
  return (value as Record<string, unknown>)[key];
}

function mutationRoot(ctx: ShapeContext, actor: string): GqlObject {
  const payload = (typename: string, args: Args, fields: Record<string, Resolver>): GqlObject => ({
    __typename: typename,
    fields: { clientMutationId: () => input(args, "clientMutationId") ?? null, ...fields },
  });
  const pullFor = (args: Args) => {
    const id = input(args, "pullRequestId");
    const pull = ctx.state.pulls.find((p) => p.nodeId === id);
    if (!pull) throw new GqlError(`Could not resolve to a node with the global id of '${String(id)}'`, "NOT_FOUND");
    return pull;
  };
  const threadFor = (args: Args) => {
    const id = input(args, "threadId");
    const thread = ctx.state.reviewThreads.find((t) => t.id === id);
    if (!thread) throw new GqlError(`Could not resolve to a node with the global id of '${String(id)}'`, "NOT_FOUND");
    return thread;
  };
  return {
    __typename: "Mutation",
    fields: {
      markPullRequestReadyForReview: (args) => {
        const pull = pullFor(args);
        pull.draft = false;
        return payload("MarkPullRequestReadyForReviewPayload", args, { pullRequest: () => pullNode(ctx, pull) });
      },
      convertPullRequestToDraft: (args) => {
        const pull = pullFor(args);
        pull.draft = true;
        return payload("ConvertPullRequestToDraftPayload", args, { pullRequest: () => pullNode(ctx, pull) });
      },
      resolveReviewThread: (args) => {
        const thread = threadFor(args);
        thread.resolved = true;
        thread.resolvedBy = actor;
        return payload("ResolveReviewThreadPayload", args, { thread: () => threadNode(ctx, thread) });
      },
      unresolveReviewThread: (args) => {
        const thread = threadFor(args);
        thread.resolved = false;
        thread.resolvedBy = null;
        return payload("UnresolveReviewThreadPayload", args, { thread: () => threadNode(ctx, thread) });
      },
    },
  };
}

// A scripted OpenAI-compatible chat-completions server on loopback: it
// replays a list of turns (static answers, functions of the request, errors,
// pauses, hangs, cut streams), streams like OpenAI when asked, records every
// request, and fails loudly when the script runs out, so a test fails
// readably instead of hanging. It plays the provider a test names, as
// strictly as the provider is (model-providers.ts).
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  FAULT_BODIES,
  checkBody,
  checkEndpoint,
  isChatPath,
  openAIError,
  type Provider,
  type ProviderRules,
  type RejectedField,
} from "./model-providers.ts";
import {
  completionJson,
  roughTokens,
  streamChunks,
  type Answer,
  type ScriptedToolCall,
  type StreamStyle,
} from "./model-stream.ts";

export type { Provider, RejectedField } from "./model-providers.ts";

export type { ScriptedToolCall } from "./model-stream.ts";

/** An answer: text, tool calls, or both. */
export interface ReplyTurn {
  content?: string;
  toolCalls?: ScriptedToolCall[];
  usage?: { prompt_tokens?: number; completion_tokens?: number };
  /** Default "tool_calls" when there are tool calls, else "stop". */
  finishReason?: string;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Stream this many chunks, then drop the connection (a stream cut midway). */
  cutAfter?: number;
}

/** An HTTP error instead of an answer (rate limit, outage, refusal); the body is OpenAI's for the status unless `message` is given. */
export interface ErrorTurn {
  status: number;
  /** Seconds, sent as Retry-After. */
  retryAfter?: number;
  message?: string;
  type?: string;
  code?: string;
  param?: string;
}

/** No answer at all, until the client gives up (a timeout). */
export interface HangTurn {
  hang: true;
}

/** Hold the request until `pause` settles (cancellation and kill tests), then answer `then`. */
export interface PauseTurn {
  pause: Promise<unknown>;
  then?: Turn;
}

export type Turn = ReplyTurn | ErrorTurn | PauseTurn | HangTurn | ((request: ModelRequest) => Turn | Promise<Turn>);

interface WireMessage {
  role: string;
  content?: string | null | { type: string; text?: string }[];
  tool_calls?: { id: string; type: string; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
  name?: string;
}

/** What a function turn sees of the request it answers. */
export interface ModelRequest {
  /** 0-based position among chat-completion requests. */
  index: number;
  body: { model?: string; messages: WireMessage[]; tools?: unknown[]; stream?: boolean; [key: string]: unknown };
  headers: IncomingHttpHeaders;
  messages: WireMessage[];
  /** Tool results (role "tool") in order. */
  toolResults: { toolCallId: string; content: string }[];
  lastToolResult: string | undefined;
  /** Text of the last message (for the text protocol, where tool results come back as user messages). */
  lastMessageText: string;
}

export interface RecordedModelRequest {
  method: string;
  path: string;
  body: ModelRequest["body"] | undefined;
  authorization: string | undefined;
  stream: boolean;
  outcome:
    | "answered"
    | "error-turn"
    | "refused-tools"
    | "refused-param"
    | "context-length"
    | "script-exhausted"
    | "unauthorized"
    | "aborted"
    | "not-found"
    | "fault"
    | "hung"
    | "cut";
  status: number;
  /** The query string (Azure's api-version travels there). */
  query: string;
  /** Azure's key header. */
  apiKeyHeader: string | undefined;
  /** When the request arrived (Date.now()). */
  at: number;
  /** The usage the server reported for an answer it completed (what the provider bills). */
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

export interface ModelServerOptions {
  turns?: Turn[];
  /** The model name reported back. Default "scripted-model". */
  model?: string;
  /** Behave like an endpoint without tool support: 400 for any request carrying `tools` (same as reject: ["tools"]). */
  noNativeTools?: boolean;
  /** When set, requests must carry `Authorization: Bearer <apiKey>` (Azure: `api-key: <apiKey>`). */
  apiKey?: string;
  /** Which provider's rules to enforce (default "generic"). */
  provider?: Provider;
  /** Models an OpenAI endpoint serves (default: `model`); others are 404 model_not_found. */
  models?: string[];
  /** Azure: the deployment name (default `model`) and the api-versions it takes (default 2024-10-21). */
  deployment?: string;
  apiVersions?: string[];
  /** Request fields refused with a 400, as some servers do. */
  reject?: RejectedField[];
  /** Refuse requests longer than this many tokens (≈4 characters each) with OpenAI's context_length_exceeded. */
  contextWindow?: number;
  /** How the stream looks: tool arguments as JSON objects, no usage chunk even when asked, reasoning_content deltas. */
  stream?: StreamStyle;
}

export interface ModelServer {
  /** Base URL for OpenAI clients and OPENAI_BASE_URL: http://127.0.0.1:<port>/v1 (Azure: …/openai/deployments/<name>?api-version=…) */
  readonly url: string;
  readonly model: string;
  /** Every request, in order. */
  readonly requests: RecordedModelRequest[];
  /** Problems a test should see: script exhausted, bad JSON, wrong key. */
  readonly errors: string[];
  /** Appends turns to the script. */
  push(...turns: Turn[]): void;
  /** While set, every chat request gets this fault (the script is not touched): an endpoint that is down. */
  setFault(fault: ErrorTurn | HangTurn | undefined): void;
  /** Turns not yet used. */
  readonly remaining: number;
  close(): Promise<void>;
}

function isError(turn: Turn): turn is ErrorTurn {
  return typeof turn === "object" && "status" in turn && typeof turn.status === "number";
}

function isPause(turn: Turn): turn is PauseTurn {
  return typeof turn === "object" && "pause" in turn;
}

function isHang(turn: Turn): turn is HangTurn {
  return typeof turn === "object" && "hang" in turn && turn.hang === true;
}

function errorTurnBody(turn: ErrorTurn): unknown {
  if (turn.message !== undefined) {
    return openAIError(
      turn.message,
      turn.type ??
        (turn.status === 429 ? "rate_limit_error" : turn.status >= 500 ? "server_error" : "invalid_request_error"),
      turn.param ?? null,
      turn.code ?? null,
    );
  }
  return (
    FAULT_BODIES[turn.status] ??
    openAIError(`scripted error ${turn.status}`, turn.status >= 500 ? "server_error" : "invalid_request_error")
  );
}

function textOf(content: WireMessage["content"]): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((p) => p.text ?? "").join("");
  return "";
}

function errorBody(message: string, type: string, param: string | null = null) {
  return JSON.stringify({ error: { message, type, param, code: null } });
}

export async function createModelServer(options: ModelServerOptions = {}): Promise<ModelServer> {
  const script: Turn[] = [...(options.turns ?? [])];
  const model = options.model ?? "scripted-model";
  const requests: RecordedModelRequest[] = [];
  const errors: string[] = [];
  let completions = 0;
  let fault: ErrorTurn | HangTurn | undefined;
  const rules: ProviderRules = {
    provider: options.provider ?? "generic",
    models: options.models ?? [model],
    deployment: options.deployment ?? model,
    apiVersions: options.apiVersions ?? ["2024-10-21"],
    reject: [...new Set([...(options.reject ?? []), ...(options.noNativeTools ? (["tools"] as const) : [])])],
    apiKey: options.apiKey,
    contextWindow: options.contextWindow,
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://x");
      void handle(
        req.method ?? "GET",
        url.pathname,
        url.searchParams,
        req.headers,
        Buffer.concat(chunks).toString("utf8"),
        res,
      );
    });
  });

  async function handle(
    method: string,
    path: string,
    query: URLSearchParams,
    headers: IncomingHttpHeaders,
    raw: string,
    res: ServerResponse,
  ): Promise<void> {
    const apiKeyHeader = typeof headers["api-key"] === "string" ? headers["api-key"] : undefined;
    const record: RecordedModelRequest = {
      at: Date.now(),
      method,
      path,
      query: query.toString(),
      apiKeyHeader,
      body: undefined,
      authorization: headers["authorization"],
      stream: false,
      outcome: "answered",
      status: 200,
    };
    requests.push(record);
    const reply = (status: number, body: string, extra: Record<string, string> = {}) => {
      record.status = status;
      res.writeHead(status, { "content-type": "application/json", ...extra });
      res.end(body);
    };
    const refused = checkEndpoint(rules, path, query, headers);
    if (refused) {
      record.outcome = refused.outcome;
      errors.push(`request ${method} ${path}: ${refused.note ?? refused.outcome}`);
      return reply(refused.status, JSON.stringify(refused.body));
    }
    if (method === "GET" && path.replace(/\/$/, "") === "/v1/models") {
      return reply(
        200,
        JSON.stringify({
          object: "list",
          data: [{ id: model, object: "model", created: 1_700_000_000, owned_by: "issuesmith-test" }],
        }),
      );
    }
    if (method !== "POST" || !isChatPath(rules, path)) {
      record.outcome = "not-found";
      errors.push(`unexpected request ${method} ${path}`);
      return reply(404, errorBody(`Unknown request URL: ${method} ${path}`, "invalid_request_error"));
    }
    let body: ModelRequest["body"];
    try {
      body = JSON.parse(raw) as ModelRequest["body"];
    } catch {
      errors.push("request body is not JSON");
      return reply(400, errorBody("We could not parse the JSON body of your request.", "invalid_request_error"));
    }
    record.body = body;
    record.stream = body.stream === true;
    // the provider's rules come first; a refused request does not spend a turn (the corrected retry gets it)
    const rejected = checkBody(rules, body);
    if (rejected) {
      record.outcome = rejected.outcome;
      return reply(rejected.status, JSON.stringify(rejected.body));
    }
    if (fault) {
      record.outcome = isHang(fault) ? "hung" : "fault";
      if (isHang(fault)) return; // the socket stays open until the client gives up
      return reply(
        fault.status,
        JSON.stringify(errorTurnBody(fault)),
        fault.retryAfter !== undefined ? { "retry-after": String(fault.retryAfter) } : {},
      );
    }
    const index = completions++;
    let turn = script.shift();
    if (turn === undefined) {
      record.outcome = "script-exhausted";
      const message = `model-server script exhausted: chat request #${index + 1} has no scripted turn (${requests.length} requests so far)`;
      errors.push(message);
      return reply(500, errorBody(message, "server_error"));
    }
    const messages = Array.isArray(body.messages) ? body.messages : [];
    const toolResults = messages
      .filter((m) => m.role === "tool")
      .map((m) => ({ toolCallId: m.tool_call_id ?? "", content: textOf(m.content) }));
    const request: ModelRequest = {
      index,
      body,
      headers,
      messages,
      toolResults,
      lastToolResult: toolResults.at(-1)?.content,
      lastMessageText: textOf(messages.at(-1)?.content),
    };
    let aborted = false;
    let cutting = false;
    // a client that gives up closes its connection
    const onClose = () => {
      if (res.writableFinished || cutting) return;
      aborted = true;
      record.outcome = "aborted";
    };
    res.on("close", onClose);
    // Keep-alive sockets serve many requests: drop the listener when this one is answered.
    const socket = res.socket;
    socket?.once("close", onClose);
    res.once("finish", () => socket?.off("close", onClose));
    // unwrap functions and pauses until an answer or an error remains
    for (;;) {
      if (typeof turn === "function") turn = await turn(request);
      else if (isPause(turn)) {
        await turn.pause;
        turn = turn.then ?? {};
      } else break;
    }
    if (aborted) {
      record.outcome = "aborted";
      return;
    }
    if (isHang(turn)) {
      record.outcome = "hung";
      return;
    }
    if (isError(turn)) {
      record.outcome = "error-turn";
      const extra: Record<string, string> =
        turn.retryAfter !== undefined ? { "retry-after": String(turn.retryAfter) } : {};
      return reply(turn.status, JSON.stringify(errorTurnBody(turn)), extra);
    }
    if (turn.delayMs) await new Promise((r) => setTimeout(r, turn.delayMs));
    if (aborted) {
      record.outcome = "aborted";
      return;
    }
    const toolCalls = (turn.toolCalls ?? []).map((c, i) => ({
      id: c.id ?? `call_${index + 1}_${i + 1}`,
      name: c.name,
      arguments: typeof c.arguments === "string" ? c.arguments : JSON.stringify(c.arguments),
    }));
    const cutAfter = turn.cutAfter;
    const content = turn.content ?? (toolCalls.length > 0 ? null : "");
    const completionTokens =
      turn.usage?.completion_tokens ??
      roughTokens((content ?? "") + toolCalls.map((c) => c.name + c.arguments).join(""));
    const promptTokens = turn.usage?.prompt_tokens ?? roughTokens(JSON.stringify(messages));
    const answer: Answer = {
      id: `chatcmpl-scripted-${index + 1}`,
      model,
      content,
      toolCalls,
      finishReason: turn.finishReason ?? (toolCalls.length > 0 ? "tool_calls" : "stop"),
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
      },
    };
    const created = Math.floor(Date.now() / 1000);
    if (cutAfter === undefined) record.usage = answer.usage;
    if (!record.stream) return reply(200, JSON.stringify(completionJson(answer, created)));
    const includeUsage = (body["stream_options"] as { include_usage?: boolean } | undefined)?.include_usage === true;
    record.status = 200;
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      connection: "keep-alive",
    });
    const chunks = streamChunks(answer, created, includeUsage && !options.stream?.omitUsage, options.stream ?? {});
    if (cutAfter !== undefined) {
      record.outcome = "cut";
      for (const data of chunks.slice(0, cutAfter)) res.write(`data: ${data}\n\n`);
      // let the written chunks leave, then drop the connection without ending the stream
      await new Promise((r) => setTimeout(r, 20));
      cutting = true;
      res.socket?.destroy();
      return;
    }
    for (const data of chunks) res.write(`data: ${data}\n\n`);
    res.end();
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const url =
    rules.provider === "azure"
      ? `${origin}/openai/deployments/${encodeURIComponent(rules.deployment)}?api-version=${rules.apiVersions[0]}`
      : `${origin}/v1`;
  return {
    url,
    model,
    requests,
    errors,
    push: (...turns) => void script.push(...turns),
    setFault: (f) => {
      fault = f;
    },
    get remaining() {
      return script.length;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

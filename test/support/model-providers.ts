// The rules real model providers enforce, for the scripted model server:
// which path and credentials they take, which parameters they refuse, with
// the status codes and error bodies they answer (as seen in the wild: OpenAI's
// `{"error":{message,type,param,code}}`, Azure's `{"error":{code,message}}`).
// A test that passes against these passes against the provider.
import type { IncomingHttpHeaders } from "node:http";

/**
 * - `generic`: an OpenAI-compatible server (vLLM, llama.cpp, Ollama, LiteLLM): any model name, `/v1/chat/completions`.
 * - `openai`: api.openai.com with a chat model: unknown models are 404 `model_not_found`.
 * - `openai-reasoning`: an o-series / gpt-5 model: also refuses `max_tokens` (use `max_completion_tokens`),
 *   a temperature other than 1, and `top_p`.
 * - `azure`: Azure OpenAI: `/openai/deployments/{name}/chat/completions?api-version=…`, key in `api-key`.
 */
export type Provider = "generic" | "openai" | "openai-reasoning" | "azure";

/** Request fields a server refuses outright (older Azure api-versions, servers without tools). */
export type RejectedField = "tools" | "stream_options" | "parallel_tool_calls";

export interface ProviderRules {
  provider: Provider;
  /** Models the endpoint serves (openai modes); default: the server's model. */
  models: string[];
  /** The Azure deployment name (azure mode). */
  deployment: string;
  /** api-version values Azure accepts. */
  apiVersions: string[];
  reject: RejectedField[];
  apiKey: string | undefined;
  /** Refuse a request whose messages (≈4 characters a token) plus its output cap pass this. */
  contextWindow: number | undefined;
}

export interface Refusal {
  status: number;
  body: unknown;
  outcome: "unauthorized" | "not-found" | "refused-tools" | "refused-param" | "context-length";
  /** Recorded in the server's errors: a test that did not mean to be refused should see why. */
  note?: string;
}

export function openAIError(message: string, type: string, param: string | null = null, code: string | null = null) {
  return { error: { message, type, param, code } };
}

/** Where a chat request goes for this provider; undefined when the path is not one. */
export function isChatPath(rules: ProviderRules, path: string): boolean {
  const p = path.replace(/\/$/, "");
  if (rules.provider === "azure") return new RegExp(`^/openai/deployments/[^/]+/chat/completions$`).test(p);
  return p === "/v1/chat/completions";
}

/** Credentials, path and deployment: checked before the body is read. */
export function checkEndpoint(
  rules: ProviderRules,
  path: string,
  query: URLSearchParams,
  headers: IncomingHttpHeaders,
): Refusal | undefined {
  if (rules.provider === "azure") {
    // Azure answers a wrong key before it looks at the path or version.
    if (rules.apiKey !== undefined && headers["api-key"] !== rules.apiKey) {
      const note = headers["authorization"]
        ? "Azure takes the key in `api-key`, not Authorization: Bearer"
        : "request without the right api-key header";
      return {
        status: 401,
        outcome: "unauthorized",
        note,
        body: {
          error: {
            code: "401",
            message:
              "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.",
          },
        },
      };
    }
    const version = query.get("api-version");
    if (!version || !rules.apiVersions.includes(version)) {
      return {
        status: 404,
        outcome: "not-found",
        note: `api-version ${version ?? "missing"}`,
        body: { error: { code: "404", message: "Resource not found" } },
      };
    }
    const deployment = /^\/openai\/deployments\/([^/]+)\//.exec(path)?.[1];
    if (deployment !== undefined && decodeURIComponent(deployment) !== rules.deployment) {
      return {
        status: 404,
        outcome: "not-found",
        body: {
          error: {
            code: "DeploymentNotFound",
            message:
              "The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.",
          },
        },
      };
    }
    return undefined;
  }
  if (rules.apiKey !== undefined) {
    const auth = headers["authorization"];
    if (!auth) {
      return {
        status: 401,
        outcome: "unauthorized",
        note: "request without an API key",
        body: openAIError(
          "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username. You can obtain an API key from https://platform.openai.com/account/api-keys.",
          "invalid_request_error",
        ),
      };
    }
    if (auth !== `Bearer ${rules.apiKey}`) {
      const given = auth.replace(/^Bearer\s+/i, "");
      return {
        status: 401,
        outcome: "unauthorized",
        note: "request without the right API key",
        body: openAIError(
          `Incorrect API key provided: ${mask(given)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
          "invalid_request_error",
          null,
          "invalid_api_key",
        ),
      };
    }
  }
  return undefined;
}

/** The body's parameters against the model family's rules. */
export function checkBody(rules: ProviderRules, body: Record<string, unknown>): Refusal | undefined {
  const model = typeof body["model"] === "string" ? body["model"] : undefined;
  if (
    (rules.provider === "openai" || rules.provider === "openai-reasoning") &&
    (!model || !rules.models.includes(model))
  ) {
    return {
      status: 404,
      outcome: "not-found",
      body: openAIError(
        `The model \`${model ?? ""}\` does not exist or you do not have access to it.`,
        "invalid_request_error",
        null,
        "model_not_found",
      ),
    };
  }
  for (const field of rules.reject) {
    if (body[field] === undefined) continue;
    if (field === "tools") {
      if (!Array.isArray(body["tools"]) || body["tools"].length === 0) continue;
      // Ollama's words for a model without tool support (vLLM and llama.cpp say it otherwise; classify.ts knows each).
      return {
        status: 400,
        outcome: "refused-tools",
        body: openAIError(`registry.ollama.ai/library/${model ?? "model"}:latest does not support tools`, "api_error"),
      };
    }
    return {
      status: 400,
      outcome: "refused-param",
      body: {
        error: {
          code: null,
          message: `Unrecognized request argument supplied: ${field}`,
          param: null,
          type: "invalid_request_error",
        },
      },
    };
  }
  if (rules.provider === "openai-reasoning") {
    if (body["max_tokens"] !== undefined) {
      return {
        status: 400,
        outcome: "refused-param",
        body: openAIError(
          "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
          "invalid_request_error",
          "max_tokens",
          "unsupported_parameter",
        ),
      };
    }
    const temperature = body["temperature"];
    if (temperature !== undefined && temperature !== 1) {
      return {
        status: 400,
        outcome: "refused-param",
        body: openAIError(
          `Unsupported value: 'temperature' does not support ${JSON.stringify(temperature)} with this model. Only the default (1) value is supported.`,
          "invalid_request_error",
          "temperature",
          "unsupported_value",
        ),
      };
    }
    if (body["top_p"] !== undefined) {
      return {
        status: 400,
        outcome: "refused-param",
        body: openAIError(
          "Unsupported parameter: 'top_p' is not supported with this model.",
          "invalid_request_error",
          "top_p",
          "unsupported_parameter",
        ),
      };
    }
  }
  if (rules.contextWindow !== undefined) {
    const input =
      Math.ceil(JSON.stringify(body["messages"] ?? []).length / 4) +
      Math.ceil(JSON.stringify(body["tools"] ?? []).length / 4);
    const output = Number(body["max_completion_tokens"] ?? body["max_tokens"] ?? 0);
    if (input + output > rules.contextWindow) {
      const message =
        output > 0
          ? `This model's maximum context length is ${rules.contextWindow} tokens. However, you requested ${input + output} tokens (${input} in the messages, ${output} in the completion). Please reduce the length of the messages or completion.`
          : `This model's maximum context length is ${rules.contextWindow} tokens. However, your messages resulted in ${input} tokens. Please reduce the length of the messages.`;
      return {
        status: 400,
        outcome: "context-length",
        body: openAIError(message, "invalid_request_error", "messages", "context_length_exceeded"),
      };
    }
  }
  return undefined;
}

/** OpenAI shows a wrong key as its first and last characters. */
function mask(key: string): string {
  return key.length <= 8 ? "***" : `${key.slice(0, 3)}${"*".repeat(Math.min(20, key.length - 7))}${key.slice(-4)}`;
}

/** OpenAI's error bodies for the faults a test injects (retry-after goes in the headers). */
export const FAULT_BODIES: Record<number, unknown> = {
  429: openAIError("Rate limit reached for requests. Please try again in 1s.", "requests", null, "rate_limit_exceeded"),
  500: openAIError("The server had an error while processing your request. Sorry about that!", "server_error"),
  502: openAIError("Bad gateway.", "server_error", null, "bad_gateway"),
  503: openAIError("The engine is currently overloaded, please try again later.", "server_error"),
  504: openAIError("Gateway timeout.", "server_error"),
};

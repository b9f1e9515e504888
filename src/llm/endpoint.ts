// The HTTP client for the configured endpoint. Azure OpenAI is told apart by
// its URL (a `*.openai.azure.com`-style host, a `/openai/deployments/` path or
// an `api-version` query): it wants the deployment in the path, `api-version`
// on every request and the key in an `api-key` header (ARCHITECTURE.md §3).
import OpenAI, { AzureOpenAI } from "openai";

/** The GA version used when the base URL names none. */
export const DEFAULT_AZURE_API_VERSION = "2024-10-21";

export interface EndpointOptions {
  apiKey: string | undefined;
  baseUrl: string;
  model: string;
  timeoutMs: number;
}

export interface AzureEndpoint {
  /** Base URL up to the deployment: https://x.openai.azure.com/openai/deployments/<name> */
  baseUrl: string;
  deployment: string;
  apiVersion: string;
}

export function azureEndpoint(baseUrl: string, model: string): AzureEndpoint | undefined {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return undefined;
  }
  const azureHost = /\.(?:openai\.azure\.com|cognitiveservices\.azure\.com|services\.ai\.azure\.com)$/i.test(
    url.hostname,
  );
  const deploymentPath = /^(.*?\/openai\/deployments\/)([^/]+)\/?/.exec(url.pathname);
  const apiVersion = url.searchParams.get("api-version");
  if (!azureHost && !deploymentPath && !apiVersion) return undefined;
  // The v1 API (…/openai/v1) is OpenAI's own protocol on Azure: no deployment path, no api-version.
  if (!deploymentPath && !apiVersion && /\/openai\/v1\/?$/.test(url.pathname)) return undefined;
  const deployment = deploymentPath?.[2] ? decodeURIComponent(deploymentPath[2]) : model;
  const prefix =
    deploymentPath?.[1] ?? `${url.pathname.replace(/\/+$/, "").replace(/\/openai$/, "")}/openai/deployments/`;
  return {
    baseUrl: `${url.origin}${prefix}${encodeURIComponent(deployment)}`,
    deployment,
    apiVersion: apiVersion ?? DEFAULT_AZURE_API_VERSION,
  };
}

/** One client for the endpoint; retries are ours (retry.ts), so the SDK's are off. */
export function createClient(options: EndpointOptions): OpenAI {
  const azure = azureEndpoint(options.baseUrl, options.model);
  if (azure) {
    return new AzureOpenAI({
      baseURL: azure.baseUrl,
      apiVersion: azure.apiVersion,
      apiKey: options.apiKey ?? "no-key",
      maxRetries: 0,
      timeout: options.timeoutMs,
    });
  }
  return new OpenAI({
    baseURL: options.baseUrl,
    // Local endpoints (llama.cpp, Ollama, vLLM) need no key; the SDK insists on one.
    apiKey: options.apiKey ?? "no-key",
    maxRetries: 0,
    timeout: options.timeoutMs,
  });
}

import { describe, expect, it } from "vitest";
import { DEFAULT_AZURE_API_VERSION, azureEndpoint } from "../../src/llm/endpoint.ts";
import { initialShape, isReasoningModel } from "../../src/llm/request-shape.ts";

describe("Azure OpenAI base URLs", () => {
  it("keeps the deployment and api-version of a full deployment URL", () => {
    expect(
      azureEndpoint(
        "https://acme.openai.azure.com/openai/deployments/gpt4o-prod?api-version=2025-01-01-preview",
        "gpt-4o",
      ),
    ).toEqual({
      baseUrl: "https://acme.openai.azure.com/openai/deployments/gpt4o-prod",
      deployment: "gpt4o-prod",
      apiVersion: "2025-01-01-preview",
    });
  });

  it("takes the deployment from AGENT_MODEL and a default api-version for a bare resource URL", () => {
    expect(azureEndpoint("https://acme.openai.azure.com/", "gpt-4o")).toEqual({
      baseUrl: "https://acme.openai.azure.com/openai/deployments/gpt-4o",
      deployment: "gpt-4o",
      apiVersion: DEFAULT_AZURE_API_VERSION,
    });
    expect(azureEndpoint("https://acme.cognitiveservices.azure.com/openai", "o4-mini")?.baseUrl).toBe(
      "https://acme.cognitiveservices.azure.com/openai/deployments/o4-mini",
    );
  });

  it("leaves OpenAI, local servers and Azure's OpenAI-style v1 API alone", () => {
    expect(azureEndpoint("https://api.openai.com/v1", "gpt-4.1")).toBeUndefined();
    expect(azureEndpoint("http://localhost:11434/v1", "qwen2.5-coder")).toBeUndefined();
    expect(azureEndpoint("https://acme.openai.azure.com/openai/v1/", "gpt-4o")).toBeUndefined();
  });
});

describe("model families", () => {
  it("knows OpenAI's reasoning models by name", () => {
    for (const name of ["o1", "o3-mini", "o4-mini-2025-04-16", "gpt-5", "gpt-5.1-codex", "openai/gpt-5-mini", "o3"])
      expect(isReasoningModel(name), name).toBe(true);
    for (const name of ["gpt-4.1", "gpt-4o", "qwen2.5-coder", "llama3.1:8b", "ollama-o1ish", "gpt-50x"])
      expect(isReasoningModel(name), name).toBe(false);
    expect(initialShape("o3").tokenParam).toBe("max_completion_tokens");
    expect(initialShape("gpt-4.1").tokenParam).toBe("max_tokens");
  });
});

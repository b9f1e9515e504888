// Clients of the fake GitHub for tests and benches: Probot's Octokit as the
// app would use it (retries and throttling off, so failures show at once),
// and git authenticated the way GitHub Apps do.
import Bottleneck from "bottleneck";
import { ProbotOctokit } from "probot";
import { githubOctokit } from "../../src/github/octokit-class.ts";
import type { FakeGitHub } from "./fake-github.ts";
import { isolatedGitEnv } from "./tmp-repo.ts";

export const TestOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  retry: { enabled: false },
  throttle: { enabled: false },
}));

/**
 * The app's production octokit (retry plugin, throttling with its rate-limit
 * handlers) with the throttling plugin's pacing of writes (1 s, 3 s for
 * notifications) taken out, so end-to-end tests exercise the real retry and
 * rate-limit paths without waiting on the pacing.
 */
export function unpacedProductionOctokit(): typeof ProbotOctokit {
  const unpaced = () => new Bottleneck.Group({ maxConcurrent: 10, minTime: 0 });
  return githubOctokit({ throttle: true }).defaults((options: Record<string, unknown>) => ({
    ...options,
    throttle: {
      ...(options["throttle"] as object | undefined),
      write: unpaced(),
      notifications: unpaced(),
      global: unpaced(),
    },
  }));
}

export type TestOctokitInstance = InstanceType<typeof TestOctokit>;

/** Authenticated as the app itself (JWT). */
export function appOctokit(fake: FakeGitHub, privateKey: string): TestOctokitInstance {
  return new TestOctokit({ auth: { appId: fake.appId, privateKey }, baseUrl: fake.apiUrl });
}

/** Authenticated as an installation (tokens fetched and refreshed by @octokit/auth-app). */
export function installationOctokit(
  fake: FakeGitHub,
  privateKey: string,
  installationId = fake.installationId,
): TestOctokitInstance {
  return new TestOctokit({ auth: { appId: fake.appId, privateKey, installationId }, baseUrl: fake.apiUrl });
}

/** An installation token, fresh from the fake. */
export async function installationToken(
  fake: FakeGitHub,
  privateKey: string,
  installationId = fake.installationId,
): Promise<string> {
  const { data } = await appOctokit(fake, privateKey).rest.apps.createInstallationAccessToken({
    installation_id: installationId,
  });
  return data.token;
}

/**
 * Environment for git commands that authenticates with `token` through
 * http.extraHeader in GIT_CONFIG_* variables — nothing lands in a URL,
 * .git/config or on the command line.
 */
export function gitTokenEnv(token: string): NodeJS.ProcessEnv {
  const basic = Buffer.from(`x-access-token:${token}`).toString("base64");
  return {
    ...isolatedGitEnv,
    GIT_CONFIG_COUNT: "1",
    GIT_CONFIG_KEY_0: "http.extraHeader",
    GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
  };
}

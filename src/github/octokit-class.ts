// Probot's octokit with our retry and pacing policy: transient failures are
// retried with backoff, rate limits are waited out a few times, then the
// error surfaces (as a Transient job failure) instead of waiting forever.
import { ProbotOctokit } from "probot";

const MAX_RATE_LIMIT_RETRIES = 3;

export function githubOctokit(options: { throttle: boolean }): typeof ProbotOctokit {
  const onLimit =
    (kind: string) =>
    (
      retryAfter: number,
      request: { method: string; url: string },
      octokit: { log: { warn(msg: string): void } },
      retryCount: number,
    ) => {
      if (retryCount >= MAX_RATE_LIMIT_RETRIES) return false;
      octokit.log.warn(
        `${kind} rate limit on ${request.method} ${request.url}: retrying in ${retryAfter}s (${retryCount + 1}/${MAX_RATE_LIMIT_RETRIES})`,
      );
      return true;
    };
  return ProbotOctokit.defaults((instance: Record<string, unknown>) => ({
    ...instance,
    retry: { retries: 3 },
    throttle: options.throttle
      ? {
          ...(instance.throttle as object | undefined),
          enabled: true,
          onRateLimit: onLimit("primary"),
          onSecondaryRateLimit: onLimit("secondary"),
        }
      : { enabled: false },
  }));
}

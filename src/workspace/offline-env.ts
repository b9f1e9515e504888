// Package managers in a command without network: told they are offline, so
// a fetch fails at once with their own "not in the cache" message instead of
// minutes of retries against a registry the sandbox cannot reach (npm's
// default backoff took 211 s to give up). Only for runs with network: false
// (ARCHITECTURE.md §6: the agent phase and the tests have no network).

/** Variables each tool documents for "never touch the network". */
export const OFFLINE_ENV: Readonly<Record<string, string>> = {
  // npm and pnpm read npm_config_* as their config: `offline` uses the cache only (ENOTCACHED otherwise).
  npm_config_offline: "true",
  npm_config_fetch_retries: "0",
  npm_config_audit: "false",
  npm_config_fund: "false",
  npm_config_update_notifier: "false",
  // Yarn 2+ (`enableNetwork: false`); Yarn 1 reads the npm_config_* above.
  YARN_ENABLE_NETWORK: "0",
  YARN_ENABLE_OFFLINE_MODE: "1",
  // pip: no index at all (a wheel already on disk still installs); no retries, no version check.
  PIP_NO_INDEX: "1",
  PIP_RETRIES: "0",
  PIP_DISABLE_PIP_VERSION_CHECK: "1",
  UV_OFFLINE: "1",
  CARGO_NET_OFFLINE: "true",
  GOPROXY: "off",
};

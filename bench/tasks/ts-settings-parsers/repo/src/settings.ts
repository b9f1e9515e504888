export interface Settings {
  port: number;
  debug: boolean;
  timeoutMs: number;
  hosts: string[];
}

export class SettingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SettingError";
  }
}

/** Settings from environment-style text values; defaults for what is missing. */
export function readSettings(env: Record<string, string | undefined>): Settings {
  let port = 8080;
  const rawPort = env.PORT;
  if (rawPort !== undefined) {
    const n = Number(rawPort.trim());
    if (!/^\s*\d+\s*$/.test(rawPort) || !Number.isInteger(n) || n < 1 || n > 65535) {
      throw new SettingError(`PORT: expected a whole number from 1 to 65535, got "${rawPort}"`);
    }
    port = n;
  }

  let debug = false;
  const rawDebug = env.DEBUG;
  if (rawDebug !== undefined) {
    const v = rawDebug.trim().toLowerCase();
    if (v === "true" || v === "1" || v === "yes") debug = true;
    else if (v === "false" || v === "0" || v === "no") debug = false;
    else throw new SettingError(`DEBUG: expected true or false, got "${rawDebug}"`);
  }

  let timeoutMs = 30000;
  const rawTimeout = env.TIMEOUT_MS;
  if (rawTimeout !== undefined) {
    const n = Number(rawTimeout.trim());
    if (!/^\s*\d+\s*$/.test(rawTimeout) || !Number.isInteger(n) || n < 0 || n > 600000) {
      throw new SettingError(`TIMEOUT_MS: expected a whole number from 0 to 600000, got "${rawTimeout}"`);
    }
    timeoutMs = n;
  }

  let hosts = ["localhost"];
  const rawHosts = env.HOSTS;
  if (rawHosts !== undefined) {
    hosts = rawHosts
      .split(",")
      .map((h) => h.trim())
      .filter((h) => h !== "");
  }

  return { port, debug, timeoutMs, hosts };
}

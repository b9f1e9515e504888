// What of the host a sandboxed command sees: the system's programs and
// libraries read-only, and from /etc only what programs need to run. /etc is
// an allow-list because it holds secrets no list of names could foresee
// (shadow, ssh host keys, TLS private keys, database and registry credentials).
import { existsSync, lstatSync, readdirSync, readlinkSync, realpathSync } from "node:fs";
import path from "node:path";

/** Top-level system directories, bound read-only (or recreated as the symlinks they are). */
const SYSTEM_DIRS = ["usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32"];

/**
 * /etc entries programs read: users and name lookup, the loader, TLS roots, locale and time, shells,
 * fonts (headless browsers). Each is one bind mount (~0.1 ms of start-up), so the list stays short.
 */
const ETC_NAMES = new Set([
  "passwd",
  "group",
  "hostname",
  "hosts",
  "host.conf",
  "nsswitch.conf",
  "gai.conf",
  "resolv.conf",
  "services",
  "protocols",
  "ld.so.cache",
  "ld.so.conf",
  "ld.so.conf.d",
  "alternatives",
  "ssl",
  "ca-certificates",
  "ca-certificates.conf",
  "pki",
  "crypto-policies",
  "localtime",
  "timezone",
  "locale.alias",
  "locale.conf",
  "os-release",
  "debian_version",
  "lsb-release",
  "bash.bashrc",
  "profile",
  "profile.d",
  "mime.types",
  "mtab",
  "fonts",
  "perl",
]);
/** Versioned runtime configs: python3.11/ (Debian's sitecustomize lives there), java-17-openjdk/. */
const ETC_PREFIXES = ["python", "java-", "ImageMagick-"];
/** Inside an allowed directory, still hidden (replaced by an empty tmpfs). */
const ETC_MASKED_DIRS = ["ssl/private", "pki/tls/private"];

/** The bwrap arguments that lay out the read-only system part of the sandbox, computed once. */
export function systemMountArgs(root = "/"): string[] {
  const args: string[] = [];
  for (const name of SYSTEM_DIRS) args.push(...mountEntry(path.join(root, name), `/${name}`));
  const etc = path.join(root, "etc");
  let names: string[] = [];
  try {
    names = readdirSync(etc).sort();
  } catch {
    /* no /etc: programs will have to cope */
  }
  for (const name of names) {
    if (!ETC_NAMES.has(name) && !ETC_PREFIXES.some((p) => name.startsWith(p))) continue;
    args.push(...mountEntry(path.join(etc, name), `/etc/${name}`));
  }
  for (const dir of ETC_MASKED_DIRS) {
    if (existsSync(path.join(etc, dir))) args.push("--tmpfs", `/etc/${dir}`);
  }
  return args;
}

/**
 * A symlink into what the sandbox shows anyway (/usr, /proc, /etc) is recreated
 * as a symlink, so it resolves inside the sandbox (/etc/mtab must show the
 * sandbox's mounts, not the host's). Any other symlink is bound by its target.
 */
function mountEntry(hostPath: string, sandboxPath: string): string[] {
  let stat;
  try {
    stat = lstatSync(hostPath);
  } catch {
    return [];
  }
  if (stat.isSymbolicLink()) {
    const target = readlinkSync(hostPath);
    const resolved = path.resolve(path.dirname(sandboxPath), target);
    if (/^\/(usr|proc|etc)(\/|$)/.test(resolved)) return ["--symlink", target, sandboxPath];
    try {
      return ["--ro-bind", realpathSync(hostPath), sandboxPath];
    } catch {
      return []; // dangling
    }
  }
  return ["--ro-bind", hostPath, sandboxPath];
}

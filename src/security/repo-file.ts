// Reading a file of the checkout on the host, outside the sandbox. Whoever
// controls the repository (or talks the agent into it) chooses what a name
// is: a symlink to a host file (/proc/self/environ, ~/.ssh/id_rsa), a device
// that never ends (/dev/zero), a FIFO whose open never returns and takes a
// thread of the app with it. Only regular files, of a bounded size, and (for
// readRepoText) inside the checkout by real path are read.
import { constants } from "node:fs";
import { open, realpath, type FileHandle } from "node:fs/promises";
import path from "node:path";

export type RegularFile =
  | { ok: true; content: Buffer; size: number; truncated: boolean }
  | { ok: false; reason: "missing" | "not-a-file" | "too-large"; size?: number };

/**
 * Opens `abs` without following a final symlink and without blocking on a
 * FIFO, and reads it only if it is a regular file. Over `maxBytes` it is
 * refused, or with `head` its first `maxBytes` are returned.
 */
export async function readRegularFile(
  abs: string,
  maxBytes: number,
  options: { head?: boolean } = {},
): Promise<RegularFile> {
  let fh: FileHandle;
  try {
    fh = await open(abs, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch (err) {
    // ELOOP: the name itself is a symlink; ENXIO: a socket.
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, reason: code === "ENOENT" || code === "ENOTDIR" ? "missing" : "not-a-file" };
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) return { ok: false, reason: "not-a-file" };
    if (st.size > maxBytes && !options.head) return { ok: false, reason: "too-large", size: st.size };
    // Never more than was measured (or allowed), even if the file grows meanwhile.
    const want = Math.min(st.size, maxBytes);
    const buf = Buffer.alloc(want);
    let got = 0;
    while (got < want) {
      const { bytesRead } = await fh.read(buf, got, want - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return { ok: true, content: buf.subarray(0, got), size: st.size, truncated: st.size > got };
  } finally {
    await fh.close();
  }
}

/**
 * The text of `rel` in the checkout, or undefined when it is absent, leads
 * outside the checkout or into `.git/`, is not a regular file, or is larger
 * than `maxBytes` (with `head`, its beginning is returned instead).
 */
export async function readRepoText(
  repoDir: string,
  rel: string,
  maxBytes: number,
  options: { head?: boolean } = {},
): Promise<{ text: string; truncated: boolean } | undefined> {
  let root: string;
  let real: string;
  try {
    root = await realpath(repoDir);
    real = await realpath(path.resolve(repoDir, rel));
  } catch {
    return undefined;
  }
  const inside = path.relative(root, real);
  if (
    inside === "" ||
    inside === ".." ||
    inside.startsWith(`..${path.sep}`) ||
    path.isAbsolute(inside) ||
    inside.split(path.sep).includes(".git")
  )
    return undefined;
  const file = await readRegularFile(real, maxBytes, options);
  return file.ok ? { text: file.content.toString("utf8"), truncated: file.truncated } : undefined;
}

// Running a CLI command in-process with captured output.
import { PassThrough } from "node:stream";

export interface Captured {
  code: number;
  out: string;
  err: string;
}

export async function capture(
  run: (io: { out: PassThrough; err: PassThrough; env: NodeJS.ProcessEnv }) => Promise<number>,
  env: NodeJS.ProcessEnv = {},
): Promise<Captured> {
  const out = new PassThrough();
  const err = new PassThrough();
  const o: string[] = [];
  const e: string[] = [];
  out.on("data", (c: Buffer) => o.push(c.toString()));
  err.on("data", (c: Buffer) => e.push(c.toString()));
  const code = await run({ out, err, env });
  return { code, out: o.join(""), err: e.join("") };
}

// Head-and-tail truncation with the cut marked: the start of an output says
// what ran, the end says how it ended; the middle is what we can drop.

export function truncateMiddle(text: string, maxChars: number, unit = "characters"): string {
  if (text.length <= maxChars) return text;
  const keep = Math.max(0, maxChars - 80);
  const head = Math.ceil(keep * 0.4);
  const tail = keep - head;
  const cut = text.length - head - tail;
  return `${text.slice(0, head)}\n[... ${cut.toLocaleString("en-US")} ${unit} cut ...]\n${tail > 0 ? text.slice(-tail) : ""}`;
}

/**
 * Keeps the first and last bytes of a stream that may be far larger than
 * memory should hold; `toString()` marks the cut like truncateMiddle.
 */
export class HeadTailBuffer {
  readonly #limit: number;
  #head: Buffer[] = [];
  #headBytes = 0;
  #tail: Buffer[] = [];
  #tailBytes = 0;
  #total = 0;

  constructor(limitBytes: number) {
    this.#limit = Math.max(256, limitBytes);
  }

  get totalBytes(): number {
    return this.#total;
  }

  get truncated(): boolean {
    return this.#total > this.#limit;
  }

  push(chunk: Buffer): void {
    this.#total += chunk.length;
    const headLimit = Math.floor(this.#limit * 0.4);
    let rest = chunk;
    if (this.#headBytes < headLimit) {
      const take = Math.min(headLimit - this.#headBytes, rest.length);
      this.#head.push(rest.subarray(0, take));
      this.#headBytes += take;
      rest = rest.subarray(take);
    }
    if (rest.length === 0) return;
    this.#tail.push(rest);
    this.#tailBytes += rest.length;
    const tailLimit = this.#limit - headLimit;
    while (this.#tailBytes - (this.#tail[0]?.length ?? 0) >= tailLimit && this.#tail.length > 1) {
      this.#tailBytes -= this.#tail.shift()!.length;
    }
  }

  toString(): string {
    const head = Buffer.concat(this.#head).toString("utf8");
    let tailBuf = Buffer.concat(this.#tail);
    const tailLimit = this.#limit - Math.floor(this.#limit * 0.4);
    if (tailBuf.length > tailLimit) tailBuf = tailBuf.subarray(tailBuf.length - tailLimit);
    const tail = tailBuf.toString("utf8");
    if (!this.truncated) return head + tail;
    const cut = this.#total - this.#headBytes - tailBuf.length;
    return `${head}\n[... ${cut.toLocaleString("en-US")} bytes of output cut ...]\n${tail}`;
  }
}

/** A least-recently-used cache with a fixed capacity. */
export class LRUCache {
  /** @param {number} capacity */
  constructor(capacity) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError("capacity must be a positive integer");
    this.capacity = capacity;
    /** Keys, least recently used first. */
    this.order = [];
    this.values = new Map();
  }

  get size() {
    return this.values.size;
  }

  /** @param {unknown} key */
  get(key) {
    if (!this.values.has(key)) return undefined;
    this.#touch(key);
    return this.values.get(key);
  }

  /** @param {unknown} key @param {unknown} value */
  set(key, value) {
    if (this.values.has(key)) {
      this.#touch(key);
    } else {
      if (this.order.length >= this.capacity) {
        const oldest = this.order.shift();
        this.values.delete(oldest);
      }
      this.order.push(key);
    }
    this.values.set(key, value);
    return this;
  }

  #touch(key) {
    const i = this.order.indexOf(key);
    this.order.splice(i, 1);
    this.order.push(key);
  }
}

/** Event name → the arguments its handlers receive. */
export type EventMap = Record<string, unknown[]>;

export type Handler<Args extends unknown[]> = (...args: Args) => void;

export class Emitter<Events extends EventMap> {
  readonly #handlers: { [K in keyof Events]?: Handler<Events[K]>[] } = {};

  /** Call `handler` on every `emit(event)`; the returned function removes it. */
  on<K extends keyof Events>(event: K, handler: Handler<Events[K]>): () => void {
    const list = this.#handlers[event] ?? [];
    list.push(handler);
    this.#handlers[event] = list;
    return () => this.off(event, handler);
  }

  off<K extends keyof Events>(event: K, handler: Handler<Events[K]>): void {
    const list = this.#handlers[event];
    const i = list?.indexOf(handler) ?? -1;
    if (list && i >= 0) list.splice(i, 1);
  }

  emit<K extends keyof Events>(event: K, ...args: Events[K]): void {
    for (const handler of [...(this.#handlers[event] ?? [])]) handler(...args);
  }

  listenerCount(event: keyof Events): number {
    return this.#handlers[event]?.length ?? 0;
  }
}

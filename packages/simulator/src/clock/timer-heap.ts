/** One pending timer of a {@link TimerHeap}. */
export interface HeapTimer {
  /** The monotonic instant it is due. */
  readonly due: number;
  /** The order it was set in: timers due at one instant fire in that order. */
  readonly sequence: number;
  readonly fire: () => void;
  /** Set once it fired or was cancelled. */
  done: boolean;
}

/**
 * A binary min-heap of timers ordered by (due, sequence), a strict total order, so the order timers
 * fire in depends on nothing but when and in what order they were set. Cancelled timers stay in
 * the heap until they reach its top (cancelling is O(1), and nothing is ever searched).
 */
export class TimerHeap {
  readonly #items: HeapTimer[] = [];
  #sequence = 0;
  #live = 0;

  /** Timers neither fired nor cancelled. */
  get size(): number {
    return this.#live;
  }

  /**
   * Adds a timer due at `due`.
   *
   * @example
   * ```ts
   * const heap = new TimerHeap();
   * heap.add(10, () => undefined);
   * heap.peek()?.due; // 10
   * ```
   */
  add(due: number, fire: () => void): HeapTimer {
    const timer: HeapTimer = { due, sequence: this.#sequence++, fire, done: false };
    this.#items.push(timer);
    this.#up(this.#items.length - 1);
    this.#live += 1;
    return timer;
  }

  /** Cancels `timer`; a no-op when it already fired or was cancelled. */
  cancel(timer: HeapTimer): void {
    if (timer.done) return;
    timer.done = true;
    this.#live -= 1;
  }

  /** The earliest live timer, left in place. */
  peek(): HeapTimer | undefined {
    this.#dropDone();
    return this.#items[0];
  }

  /** Removes the earliest live timer and marks it done. */
  pop(): HeapTimer | undefined {
    this.#dropDone();
    const top = this.#removeTop();
    if (top !== undefined) {
      top.done = true;
      this.#live -= 1;
    }
    return top;
  }

  #dropDone(): void {
    while (this.#items.length > 0 && (this.#items[0] as HeapTimer).done) this.#removeTop();
  }

  #removeTop(): HeapTimer | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      this.#down(0);
    }
    return top;
  }

  #before(i: number, j: number): boolean {
    const a = this.#items[i] as HeapTimer;
    const b = this.#items[j] as HeapTimer;
    return a.due < b.due || (a.due === b.due && a.sequence < b.sequence);
  }

  #swap(i: number, j: number): void {
    const items = this.#items;
    const a = items[i] as HeapTimer;
    items[i] = items[j] as HeapTimer;
    items[j] = a;
  }

  #up(index: number): void {
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#before(i, parent)) return;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #down(index: number): void {
    const length = this.#items.length;
    let i = index;
    for (;;) {
      const left = 2 * i + 1;
      let first = i;
      if (left < length && this.#before(left, first)) first = left;
      if (left + 1 < length && this.#before(left + 1, first)) first = left + 1;
      if (first === i) return;
      this.#swap(i, first);
      i = first;
    }
  }
}

/** One pending timer of a {@link TimerQueue}. */
export interface QueuedTimer {
  /** The monotonic instant it is due. */
  readonly due: number;
  /** Order of creation, so timers due at the same instant fire in the order they were set. */
  readonly sequence: number;
  readonly fire: () => void;
  cancelled: boolean;
}

/**
 * A binary min-heap of timers ordered by (due, sequence). Cancelled timers are removed lazily, so
 * cancelling is O(1) and the heap never needs a search.
 */
export interface TimerQueue {
  add(due: number, fire: () => void): QueuedTimer;
  cancel(timer: QueuedTimer): void;
  /** The earliest live timer, without removing it. */
  peek(): QueuedTimer | undefined;
  /** Removes and returns the earliest live timer. */
  pop(): QueuedTimer | undefined;
  /** Live (not cancelled, not fired) timers. */
  readonly size: number;
}

/**
 * Creates an empty {@link TimerQueue}.
 *
 * @example
 * ```ts
 * const queue = createTimerQueue();
 * queue.add(10, () => console.log('second'));
 * queue.add(5, () => console.log('first'));
 * queue.pop()?.fire(); // 'first'
 * ```
 */
export function createTimerQueue(): TimerQueue {
  const heap: QueuedTimer[] = [];
  let sequence = 0;
  let live = 0;

  function before(a: QueuedTimer, b: QueuedTimer): boolean {
    return a.due < b.due || (a.due === b.due && a.sequence < b.sequence);
  }

  function swap(i: number, j: number): void {
    const a = heap[i] as QueuedTimer;
    heap[i] = heap[j] as QueuedTimer;
    heap[j] = a;
  }

  function up(index: number): void {
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i] as QueuedTimer, heap[parent] as QueuedTimer)) return;
      swap(i, parent);
      i = parent;
    }
  }

  function down(index: number): void {
    let i = index;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && before(heap[left] as QueuedTimer, heap[smallest] as QueuedTimer)) smallest = left;
      if (right < heap.length && before(heap[right] as QueuedTimer, heap[smallest] as QueuedTimer)) smallest = right;
      if (smallest === i) return;
      swap(i, smallest);
      i = smallest;
    }
  }

  function removeTop(): QueuedTimer | undefined {
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last !== undefined) {
      heap[0] = last;
      down(0);
    }
    return top;
  }

  function dropCancelled(): void {
    while (heap.length > 0 && (heap[0] as QueuedTimer).cancelled) removeTop();
  }

  return {
    add(due, fire) {
      const timer: QueuedTimer = { due, sequence: sequence++, fire, cancelled: false };
      heap.push(timer);
      up(heap.length - 1);
      live += 1;
      return timer;
    },
    cancel(timer) {
      if (timer.cancelled) return;
      timer.cancelled = true;
      live -= 1;
    },
    peek() {
      dropCancelled();
      return heap[0];
    },
    pop() {
      dropCancelled();
      const top = removeTop();
      if (top !== undefined) {
        // A popped timer counts as gone; marking it cancelled makes a later cancel a no-op.
        top.cancelled = true;
        live -= 1;
      }
      return top;
    },
    get size() {
      return live;
    },
  };
}

import { BinaryHeap } from '../scheduler/binary-heap.js';

interface Deadline {
  readonly at: number;
  readonly id: number;
}

/**
 * Resource deadlines of live tasks, earliest first. Removal is lazy: a popped entry whose deadline
 * no longer matches the task's current one is skipped, which keeps `set` and `delete` O(log n).
 */
export class DeadlineQueue {
  private readonly heap = new BinaryHeap<Deadline>((a, b) => a.at < b.at || (a.at === b.at && a.id < b.id));
  private readonly current = new Map<number, number>();

  set(id: number, at: number): void {
    if (this.current.get(id) === at) return;
    this.current.set(id, at);
    this.heap.push({ at, id });
  }

  delete(id: number): void {
    this.current.delete(id);
  }

  /** The earliest live deadline, or null. */
  peek(): number | null {
    this.dropStale();
    return this.heap.peek()?.at ?? null;
  }

  /** Removes and returns every task whose deadline is at or before `now`. */
  takeDue(now: number): number[] {
    const due: number[] = [];
    for (;;) {
      this.dropStale();
      const top = this.heap.peek();
      if (top === undefined || top.at > now) return due;
      this.heap.pop();
      this.current.delete(top.id);
      due.push(top.id);
    }
  }

  private dropStale(): void {
    for (;;) {
      const top = this.heap.peek();
      if (top === undefined || this.current.get(top.id) === top.at) return;
      this.heap.pop();
    }
  }
}

/**
 * Tells the heap's items where they sit, so they can later be removed or re-sifted in O(log n).
 * Called with `-1` when an item leaves the heap.
 */
export type HeapIndexListener<T> = (item: T, index: number) => void;

const ignoreIndex = (): void => undefined;

/**
 * A binary min-heap ordered by `before`, with removal and re-sifting by position.
 *
 * Items learn their position through `onIndex` (an intrusive index: the item stores the number it
 * is given), which is what lets the scheduler remove a cancelled task or move a queue whose head
 * changed without searching. `before(a, b)` must be a strict total order for the order of equal
 * items to be deterministic.
 *
 * @example
 * ```ts
 * const heap = new BinaryHeap<number>((a, b) => a < b);
 * heap.push(3);
 * heap.push(1);
 * heap.pop(); // 1
 * ```
 */
export class BinaryHeap<T> {
  readonly #items: T[] = [];
  readonly #before: (a: T, b: T) => boolean;
  readonly #onIndex: HeapIndexListener<T>;

  constructor(before: (a: T, b: T) => boolean, onIndex: HeapIndexListener<T> = ignoreIndex) {
    this.#before = before;
    this.#onIndex = onIndex;
  }

  /** How many items the heap holds. */
  get size(): number {
    return this.#items.length;
  }

  /** The first item in order, left in place. */
  peek(): T | undefined {
    return this.#items[0];
  }

  /** Adds an item. */
  push(item: T): void {
    this.#items.push(item);
    this.#siftUp(this.#items.length - 1, item);
  }

  /** Removes and returns the first item in order. */
  pop(): T | undefined {
    return this.removeAt(0);
  }

  /** Removes and returns the item at `index` (as last reported through `onIndex`). */
  removeAt(index: number): T | undefined {
    const items = this.#items;
    if (index < 0 || index >= items.length) return undefined;
    const removed = items[index] as T;
    const last = items.pop() as T;
    this.#onIndex(removed, -1);
    if (index < items.length) {
      items[index] = last;
      this.#resift(index, last);
    }
    return removed;
  }

  /** Restores the order after the item at `index` changed its key (either way). */
  updateAt(index: number): void {
    const item = this.#items[index];
    if (item !== undefined) this.#resift(index, item);
  }

  #resift(index: number, item: T): void {
    const parent = (index - 1) >> 1;
    if (index > 0 && this.#before(item, this.#items[parent] as T)) this.#siftUp(index, item);
    else this.#siftDown(index, item);
  }

  // Both sifts move a hole instead of swapping, writing the moving item once at the end.
  #siftUp(start: number, item: T): void {
    const items = this.#items;
    let index = start;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = items[parentIndex] as T;
      if (!this.#before(item, parent)) break;
      items[index] = parent;
      this.#onIndex(parent, index);
      index = parentIndex;
    }
    items[index] = item;
    this.#onIndex(item, index);
  }

  #siftDown(start: number, item: T): void {
    const items = this.#items;
    const length = items.length;
    let index = start;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      let child = left;
      let childItem = items[left] as T;
      if (right < length) {
        const rightItem = items[right] as T;
        if (this.#before(rightItem, childItem)) {
          child = right;
          childItem = rightItem;
        }
      }
      if (!this.#before(childItem, item)) break;
      items[index] = childItem;
      this.#onIndex(childItem, index);
      index = child;
    }
    items[index] = item;
    this.#onIndex(item, index);
  }
}

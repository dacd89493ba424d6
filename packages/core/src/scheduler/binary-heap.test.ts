import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BinaryHeap } from './binary-heap.js';

interface Item {
  value: number;
  index: number;
}

const runs = Number(process.env.BGSESSION_PROPERTY_RUNS ?? 100);

function heapOf(values: readonly number[]): { heap: BinaryHeap<Item>; items: Item[] } {
  const heap = new BinaryHeap<Item>(
    (a, b) => a.value < b.value,
    (item, index) => {
      item.index = index;
    },
  );
  const items = values.map((value) => ({ value, index: -1 }));
  for (const item of items) heap.push(item);
  return { heap, items };
}

function drain(heap: BinaryHeap<Item>): number[] {
  const out: number[] = [];
  for (let item = heap.pop(); item !== undefined; item = heap.pop()) out.push(item.value);
  return out;
}

describe('BinaryHeap', () => {
  it('pops in order', () => {
    const { heap } = heapOf([5, 1, 4, 2, 3]);
    expect(heap.peek()?.value).toBe(1);
    expect(drain(heap)).toEqual([1, 2, 3, 4, 5]);
    expect(heap.pop()).toBeUndefined();
  });

  it('removes an item by the index it was told, and marks it -1', () => {
    const { heap, items } = heapOf([5, 1, 4, 2, 3]);
    const four = items[2] as Item;
    expect(heap.removeAt(four.index)).toBe(four);
    expect(four.index).toBe(-1);
    expect(drain(heap)).toEqual([1, 2, 3, 5]);
  });

  it('stays ordered through any mix of removals and key changes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 60 }),
        fc.array(fc.tuple(fc.nat(), fc.option(fc.integer({ min: 0, max: 50 }))), { maxLength: 30 }),
        (values, changes) => {
          const { heap, items } = heapOf(values);
          let live = [...items];
          for (const [pick, newValue] of changes) {
            if (live.length === 0) break;
            const item = live[pick % live.length] as Item;
            if (newValue === null) {
              heap.removeAt(item.index);
              live = live.filter((other) => other !== item);
            } else {
              item.value = newValue;
              heap.updateAt(item.index);
            }
          }
          expect(heap.size).toBe(live.length);
          expect(drain(heap)).toEqual(live.map((item) => item.value).sort((a, b) => a - b));
        },
      ),
      { numRuns: runs },
    );
  });
});

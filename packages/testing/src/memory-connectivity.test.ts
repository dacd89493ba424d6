import { describe, expect, it } from 'vitest';
import type { NetworkState } from '@bgsession/core';
import { createMemoryConnectivity } from './memory-connectivity.js';

describe('createMemoryConnectivity', () => {
  it('starts online, unmetered and unconstrained unless told otherwise', () => {
    expect(createMemoryConnectivity().current()).toEqual({ online: true, expensive: false, constrained: false });
    expect(createMemoryConnectivity({ online: false }).current().online).toBe(false);
  });

  it('tells each subscriber every change, once, until it unsubscribes', () => {
    const connectivity = createMemoryConnectivity();
    const seen: NetworkState[] = [];
    const stop = connectivity.subscribe((state) => seen.push(state));
    connectivity.set({ online: false });
    connectivity.set({ online: false });
    connectivity.set({ expensive: true });
    stop();
    connectivity.set({ online: true });
    expect(seen).toEqual([
      { online: false, expensive: false, constrained: false },
      { online: false, expensive: true, constrained: false },
    ]);
    expect(connectivity.current()).toEqual({ online: true, expensive: true, constrained: false });
    expect(connectivity.subscribers()).toBe(0);
  });

  it('the same listener subscribed twice hears twice, and each unsubscribe removes one', () => {
    const connectivity = createMemoryConnectivity();
    let calls = 0;
    const listener = (): void => {
      calls += 1;
    };
    const first = connectivity.subscribe(listener);
    connectivity.subscribe(listener);
    first();
    first();
    connectivity.set({ constrained: true });
    expect(calls).toBe(1);
  });
});

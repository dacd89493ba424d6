import fc from 'fast-check';
import type { StoreBatch, StoreCollection, StoreContents, StoreOperation } from '@bgsession/core';

const collections: readonly StoreCollection[] = ['tasks', 'outbox', 'resumeData'];

/** A store's state as JSON texts, so values compare as the journal stores them. */
export interface StoreModel {
  readonly header: string | null;
  readonly records: ReadonlyMap<StoreCollection, ReadonlyMap<string, string>>;
}

/** The state of a new, empty store. */
export function emptyStoreModel(): StoreModel {
  return { header: null, records: new Map(collections.map((collection) => [collection, new Map<string, string>()])) };
}

/** `model` after `batch`, as the Store port defines a commit. */
export function applyStoreBatch(model: StoreModel, batch: StoreBatch): StoreModel {
  const records = new Map([...model.records].map(([collection, entries]) => [collection, new Map(entries)]));
  for (const operation of batch.operations) {
    const entries = records.get(operation.collection) as Map<string, string>;
    if (operation.type === 'put') entries.set(operation.key, JSON.stringify(operation.value));
    else entries.delete(operation.key);
  }
  // A header of JSON null reads back as null, which is also "no header": the port cannot tell them apart.
  const header = batch.header === undefined ? model.header : batch.header === null ? null : JSON.stringify(batch.header);
  return { header, records };
}

/** What a store opened to, as a model. */
export function storeModelOf(contents: StoreContents): StoreModel {
  let model: StoreModel = { header: contents.header === null ? null : JSON.stringify(contents.header), records: emptyStoreModel().records };
  const operations: StoreOperation[] = [];
  for (const collection of collections) {
    for (const [key, value] of contents.records.get(collection) ?? []) operations.push({ type: 'put', collection, key, value });
  }
  model = applyStoreBatch(model, { operations, durability: 'strict' });
  return model;
}

/** Whether two models hold the same header and records. */
export function sameStoreModel(a: StoreModel, b: StoreModel): boolean {
  const text = (model: StoreModel): string => JSON.stringify([model.header, [...model.records].map(([collection, entries]) => [collection, [...entries].sort()])]);
  return text(a) === text(b);
}

const keyArbitrary = fc.constantFrom('1', '2', '3', '4', '5');
const valueArbitrary = fc.oneof(fc.integer(), fc.string({ maxLength: 24 }), fc.record({ phase: fc.constantFrom('created', 'running', 'completed'), n: fc.nat() }));

/** A batch of a few puts and deletes over a handful of keys (so compaction has dead records to drop). */
export const storeBatchArbitrary: fc.Arbitrary<StoreBatch> = fc.record(
  {
    header: fc.option(fc.record({ generation: fc.nat({ max: 9 }) }), { nil: undefined }),
    operations: fc.array(
      fc.oneof(
        fc.record({ type: fc.constant('put' as const), collection: fc.constantFrom(...collections), key: keyArbitrary, value: valueArbitrary }),
        fc.record({ type: fc.constant('delete' as const), collection: fc.constantFrom(...collections), key: keyArbitrary }),
      ),
      { maxLength: 4 },
    ),
    durability: fc.constantFrom('strict' as const, 'relaxed' as const),
  },
  { requiredKeys: ['operations', 'durability'] },
);

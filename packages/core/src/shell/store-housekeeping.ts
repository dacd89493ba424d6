import type { OutboxEntry } from '../model/outbox.js';
import type { SessionRuntime } from './session-runtime.js';

/**
 * Deletes bytes that no task, outbox entry or resume data owns: leftovers of a host that died
 * between writing bytes and recording them. Skipped when a record was quarantined, whose bytes
 * must stay until someone looks at it.
 */
export async function removeOrphanBytes(runtime: SessionRuntime, outbox: readonly OutboxEntry[], quarantined: boolean): Promise<void> {
  if (quarantined) return;
  const owned = new Set<string>(runtime.resumeReferences.keys());
  for (const record of runtime.records.values()) {
    if (record.partKey !== null) owned.add(record.partKey);
    if (record.body !== null) owned.add(record.body.ref);
    if (record.response !== null) owned.add(record.response.bodyKey);
  }
  for (const entry of outbox) {
    if (entry.payload.type === 'taskDidComplete' && entry.payload.response !== null) owned.add(entry.payload.response.bodyKey);
  }
  for (const key of await runtime.ports.byteStore.keys()) {
    if (!owned.has(key)) await runtime.ports.byteStore.delete(key).catch(() => undefined);
  }
}

/** Deletes the bytes of resume data whose `resumeDataLifetime` passed. */
export async function expireResumeData(runtime: SessionRuntime, now: number): Promise<void> {
  for (const reference of [...runtime.resumeReferences.values()]) {
    if (reference.expiresAt > now) continue;
    runtime.resumeReferences.delete(reference.partKey);
    runtime.resumeSecrets.delete(reference.partKey);
    await runtime.commit([{ type: 'delete', collection: 'resumeData', key: reference.partKey }], runtime.lazyDurability, false).catch(() => undefined);
    await runtime.ports.byteStore.delete(reference.partKey).catch(() => undefined);
  }
}

// Ports for tests: a manual clock, a scripted transport, memory connectivity, seeded randomness.
export { createManualClock } from './manual-clock.js';
export type { ManualClock, ManualClockOptions } from './manual-clock.js';
export { createScriptedTransport } from './scripted-transport.js';
export type {
  FailStep,
  HangStep,
  RecordedRequest,
  RespondStep,
  ScriptedTransport,
  ScriptedTransportOptions,
  ScriptEntry,
  ScriptHandler,
  ScriptStep,
} from './scripted-transport.js';
export { serveBytes } from './serve-bytes.js';
export type { ServeBytesOptions } from './serve-bytes.js';
export { createMemoryConnectivity } from './memory-connectivity.js';
export type { MemoryConnectivity } from './memory-connectivity.js';
export { createSeededRandom } from './seeded-random.js';
export type { SeededRandom } from './seeded-random.js';
export { createMemoryFileSystem } from './memory-file-system.js';
export type { MemoryFileSystemOptions } from './memory-file-system.js';
// Node only (node:crypto).
export { createNodeTestHasher } from './node-test-hasher.js';

// Contract suites every adapter runs.
export { describeStoreContract } from './store-contract.js';
export type { StoreContractFixture } from './store-contract.js';
export { describeByteStoreContract } from './byte-store-contract.js';
export type { ByteStoreContractFixture } from './byte-store-contract.js';
export { describeFileSystemContract } from './file-system-contract.js';
export type { FileSystemContractFixture } from './file-system-contract.js';
export { describeTransportContract, transportContractRoutes } from './transport-contract.js';
export type {
  ReceivedRequest,
  TransportContractFixture,
  TransportContractRoute,
  TransportContractRoutes,
} from './transport-contract.js';

// Test helpers.
export { concatBytes } from './concat-bytes.js';
export { expectRejection } from './expect-rejection.js';

// fast-check arbitraries of valid model values.
export { configurationArbitrary, sessionIdentifierArbitrary } from './arbitraries/configuration-arbitrary.js';
export { checkpointArbitrary } from './arbitraries/checkpoint-arbitrary.js';
export { headerMapArbitrary, headerNameArbitrary, httpRequestArbitrary } from './arbitraries/http-request-arbitrary.js';
export { durableEventPayloadArbitrary, outboxEntryArbitrary } from './arbitraries/outbox-entry-arbitrary.js';
export { persistedErrorArbitrary } from './arbitraries/persisted-error-arbitrary.js';
export { resumeDataArbitrary, resumeDataReferenceArbitrary } from './arbitraries/resume-data-arbitrary.js';
export {
  byteCountArbitrary,
  durationArbitrary,
  eventIdArbitrary,
  instantArbitrary,
  integrityArbitrary,
  storeKeyArbitrary,
  textArbitrary,
} from './arbitraries/scalar-arbitraries.js';
export { storeHeaderArbitrary } from './arbitraries/store-header-arbitrary.js';
export { destinationArbitrary, taskOptionsArbitrary } from './arbitraries/task-options-arbitrary.js';
export {
  attemptAccountArbitrary,
  bodySourceArbitrary,
  dataResponseArbitrary,
  handOverArbitrary,
  taskProgressArbitrary,
} from './arbitraries/task-parts-arbitrary.js';
export { taskRecordArbitrary } from './arbitraries/task-record-arbitrary.js';
export type { TaskRecordArbitraryOptions } from './arbitraries/task-record-arbitrary.js';
export { validatorArbitrary } from './arbitraries/validator-arbitrary.js';

// A host on in-memory adapters that can be killed and relaunched.
export { createMemoryHost } from './memory-host.js';
export type { MemoryHost, MemoryHostOptions } from './memory-host.js';

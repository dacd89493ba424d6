// The public surface of @bgsession/simulator: one explicit, flat list of named exports.

// The world: one seed, one virtual clock, one app process running the shipped session.
export { createWorld } from './world/create-world.js';
export type { ScheduledFault, World, WorldOptions, WorldSessionOptions } from './world/world-types.js';

// Time and randomness.
export { createVirtualClock } from './clock/virtual-clock.js';
export type { VirtualClock, VirtualClockOptions } from './clock/virtual-clock.js';
export { createSimulatorRandom } from './random/simulator-random.js';
export type { SimulatorRandom } from './random/simulator-random.js';

// The lossy disk (SQLite's crash model).
export { createLossyDisk } from './disk/lossy-disk.js';
export type { DiskProcess, LossyDisk, LossyDiskOptions } from './disk/lossy-disk.js';
export type { PlantedDiskBugs } from './disk/disk-context.js';
export type { CrashPiece, SectorFate } from './disk/crash-image.js';
export type { DiskCall, DiskCallInfo, DiskFault } from './disk/disk-call.js';
export type { CrashEntryOperation, EntryFate, PowerLossChoices, PowerLossReport } from './disk/power-loss.js';

// The network.
export { createSimNetwork } from './network/sim-network.js';
export type { SimNetwork, SimNetworkOptions } from './network/sim-network.js';
export type { FailureReason, NetworkEvent, NetworkFault, SimHostOptions, SimPeriod } from './network/sim-network-types.js';
export type { SimTransport, SimTransportOptions } from './network/sim-transport.js';
export type { ChunkLimits } from './network/next-chunk.js';
export { browserFetchCapabilities } from './network/browser-fetch-capabilities.js';

// Servers.
export { createSimServer } from './servers/sim-server.js';
export type { ServerExchange, SimRedirectOptions, SimServer, SimServerOptions, SimUploadOptions } from './servers/sim-server.js';
export type { SimFileOptions, ValidatorKind } from './servers/sim-file-options.js';
export type { SimResource } from './servers/sim-resource.js';
export type { SimContent } from './servers/sim-content.js';
export { generatedContent } from './servers/generated-content.js';
export type { GeneratedContentOptions } from './servers/generated-content.js';
export { bytesContent } from './servers/bytes-content.js';
export type { BytesContentOptions } from './servers/bytes-content.js';
export { createContentPattern } from './servers/content-pattern.js';
export type { ContentPattern, ContentPatternOptions } from './servers/content-pattern.js';
export { faultsByAttempt } from './servers/faults-by-attempt.js';
export { respond } from './servers/respond.js';
export type { RespondOptions } from './servers/respond.js';
export { withFraming } from './servers/with-framing.js';
export { withBody } from './servers/with-body.js';
export { bytesBody } from './servers/bytes-body.js';
export { sliceBody } from './servers/slice-body.js';
export { formatHttpDate } from './servers/http-date-format.js';
export type { BodySource } from './servers/body-source.js';
export type { Framing, HangPlan, ResetPlan, RespondPlan, ResponsePlan } from './servers/response-plan.js';
export type { ServerFault } from './servers/server-fault.js';
export type { RouteAnswer, RouteContext, RouteScript } from './servers/route-script.js';
export type { ExchangeOutcome, ServerRequest, ServerRequestRecord } from './servers/server-request.js';

// Processes, the trace and the invariant checkers.
export { ProcessLife } from './process/process-life.js';
export type { ProcessState } from './process/process-life.js';
export { processClock, processConnectivity, processFileSystem, processListener, processTransport } from './process/process-ports.js';
export { Trace } from './trace/trace.js';
export type { CommittedEvent, CommittedTask, TraceEntry, TraceFact } from './trace/trace-entry.js';
export { recordingStore } from './trace/recording-store.js';
export { invariantSentences, invariantTitle } from './invariants/invariant-sentences.js';
export type { InvariantNumber, Violation } from './invariants/invariant-sentences.js';
export { checkCompletedIsFinal, checkDurableBeforeVisible, checkIdentifiersNotReused, checkNoTaskLost, checkOneEnd } from './invariants/tasks-and-events.js';
export type { TaskEventsInput } from './invariants/tasks-and-events.js';
export { checkDeliveredContent } from './invariants/check-delivered-content.js';
export { checkDueTimes } from './invariants/check-due-times.js';
export { checkKeptBytes } from './invariants/check-kept-bytes.js';
export { checkLimits } from './invariants/check-limits.js';
export { checkNoPartialDelivered } from './invariants/check-no-partial-delivered.js';
export { checkRangeValidators } from './invariants/check-range-validators.js';
export { checkResourceTimeout } from './invariants/check-resource-timeout.js';
export { checkRetryAfter } from './invariants/check-retry-after.js';

// Generated worlds for the user's own property tests, and the planted bugs that show a property can fail.
export { worldScenarioArbitrary } from './invariants/world-arbitrary.js';
export type { FileScenario, WorldScenario, WorldScenarioOptions } from './invariants/world-arbitrary.js';
export { runWorldScenario } from './invariants/run-world-scenario.js';
export type { ScenarioRun } from './invariants/run-world-scenario.js';
export type { PlantedWorldBugs } from './world/planted-bugs.js';
export { WorldLog } from './world/world-log.js';
export type { AttemptRecord, CommitRecord, CrashRecord, DeliveryRecord, NetworkChangeRecord } from './world/world-log.js';
export type { WorldCheckInput } from './invariants/world-check-input.js';
export { checkRetrySafety } from './invariants/check-retry-safety.js';
export type { RetrySafetyInput } from './invariants/check-retry-safety.js';
export { checkConstraints } from './invariants/check-constraints.js';
export type { ConstraintsLog, TaskConstraints } from './invariants/check-constraints.js';
export { checkNoStarvation } from './invariants/check-no-starvation.js';
export { checkRoundTrip } from './invariants/check-round-trip.js';
export { checkWrites } from './invariants/check-writes.js';
export { checkCredentials } from './invariants/check-credentials.js';

// The public surface of @bgsession/node: one explicit, flat list of named exports.
export { createNodeFileSystem } from './file-system/node-file-system.js';
export type { NodeFileSystemOptions } from './file-system/node-file-system.js';
export { createNodeHasher } from './platform/node-hasher.js';
export { createUndiciTransport } from './transport/undici-transport.js';
export type { UndiciTransport, UndiciTransportOptions } from './transport/undici-transport.js';
export { createNodeClock, maxTimerDelay } from './platform/node-clock.js';
export type { NodeClockOptions } from './platform/node-clock.js';
export { createNodeRandom } from './platform/node-random.js';
export { createNodeConnectivity } from './platform/node-connectivity.js';
export type { NodeConnectivity, NodeConnectivityOptions } from './platform/node-connectivity.js';
export { openSession } from './host/open-session.js';
export type { NodeSession, OpenSessionOptions } from './host/open-session.js';
export { defaultSessionDirectory, sessionDirectoryName, userDataDirectory } from './host/session-directory.js';
export type { DataDirectoryEnvironment } from './host/session-directory.js';
export { crashAtVariable, createSigkillProbe, sigkillProbeFromEnvironment } from './host/sigkill-probe.js';
export type { SigkillProbe, SigkillProbeOptions } from './host/sigkill-probe.js';

// The public surface of @bgsession/node: one explicit, flat list of named exports.
export { createNodeFileSystem } from './file-system/node-file-system.js';
export type { NodeFileSystemOptions } from './file-system/node-file-system.js';
export { createNodeHasher } from './platform/node-hasher.js';
export { createUndiciTransport } from './transport/undici-transport.js';
export type { UndiciTransport, UndiciTransportOptions } from './transport/undici-transport.js';

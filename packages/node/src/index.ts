// The public surface of @bgsession/node: one explicit, flat list of named exports.
export {};

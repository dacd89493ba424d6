// The public surface of @bgsession/simulator: one explicit, flat list of named exports.
export {};

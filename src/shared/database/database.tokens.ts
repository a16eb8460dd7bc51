/** Injection token of the `DatabaseHandle` (what the data source was built from, and what it owns). */
export const DATABASE_HANDLE = Symbol('DATABASE_HANDLE');

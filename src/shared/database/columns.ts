/** `createdAt` → `created_at`: the SQL name of an entity property (entities name every column so). */
export type SnakeCase<S extends string> = S extends `${infer Head}${infer Tail}`
  ? `${Head extends Lowercase<Head> ? Head : `_${Lowercase<Head>}`}${SnakeCase<Tail>}`
  : S;

/**
 * What a hand-written statement returns for some of an entity's columns, under their SQL names:
 * `Columns<ConversationEntity, 'id' | 'createdAt'>` is `{ id: number; created_at: Date }`.
 */
export type Columns<E, K extends keyof E & string> = { [P in K as SnakeCase<P>]: E[P] };

/** Columns selected under a prefix (`ct.first_name AS contact_first_name`). */
export type Prefixed<Prefix extends string, T> = { [K in keyof T & string as `${Prefix}${K}`]: T[K] };

/** Columns of an outer-joined row, null when nothing joined. */
export type Nullable<T> = { [K in keyof T]: T[K] | null };

import type { ColumnType, DataSource } from 'typeorm';

/**
 * PostgreSQL types the schema uses that TypeORM's driver does not list. The driver passes a column's
 * type through to SQL and compares it with what the catalog reports, so listing them is all it needs.
 * `xid8`: `events.txid`, the writing transaction (migration EventTransactionOrder1765300000000).
 */
export const XID8 = 'xid8' as ColumnType;
const EXTRA_TYPES: ColumnType[] = [XID8];

/** Lets the data source's entities use the types above; call before `initialize()` (entity validation). */
export function acceptExtraColumnTypes(dataSource: DataSource): void {
  const supported = dataSource.driver.supportedDataTypes;
  for (const type of EXTRA_TYPES) if (!supported.includes(type)) supported.push(type);
}

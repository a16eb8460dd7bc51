import type { FieldKind, FilterLeaf, FilterNode, FilterValue, ListSort } from '../http/list-filters.js';

/**
 * Turns a parsed filter tree into a WHERE clause. Every value is a bound parameter with its type cast;
 * a list's repository maps each allowed field to its column (and renders tag conditions itself).
 */
export interface FilterColumn {
  /** The SQL column, alias-qualified: `c.status_id`. */
  sql: string;
  kind: FieldKind;
  /** The column is NOT NULL: its sort needs no NULLS LAST, so one index serves both directions. */
  notNull?: boolean;
}
export type FilterColumns = Readonly<Record<string, FilterColumn>>;
export type TagConditionSql = (leaf: Extract<FilterLeaf, { type: 'tags' }>, params: unknown[]) => string;

const CAST: Record<FieldKind, string> = { id: 'int', date: 'timestamptz', text: 'text', tags: 'int' };

const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;

function bind(params: unknown[], value: FilterValue, kind: FieldKind): string {
  params.push(value);
  return `$${params.length}::${CAST[kind]}`;
}

function leafSql(leaf: FilterLeaf, columns: FilterColumns, params: unknown[], tags: TagConditionSql): string {
  if (leaf.type === 'tags') return tags(leaf, params);
  const { sql: col, kind } = columns[leaf.field];
  switch (leaf.type) {
    case 'compare':
      return `${col} ${leaf.op} ${bind(params, leaf.value, kind)}`;
    case 'range': {
      const range = `${col} >= ${bind(params, leaf.from, kind)} AND ${col} ${leaf.inclusive ? '<=' : '<'} ${bind(params, leaf.to, kind)}`;
      return leaf.negate ? `NOT (${range})` : `(${range})`;
    }
    case 'in':
      params.push(leaf.values);
      return `${col} = ANY($${params.length}::${CAST[kind]}[])`;
    case 'like':
      params.push(likePattern(leaf.text));
      return `${col} ${leaf.negate ? 'NOT ILIKE' : 'ILIKE'} $${params.length}`;
    case 'null':
      return `${col} ${leaf.isNull ? 'IS NULL' : 'IS NOT NULL'}`;
  }
}

/** The clause for `node` (appending its values to `params`), parenthesised. */
export function filterSql(node: FilterNode, columns: FilterColumns, params: unknown[], tags: TagConditionSql): string {
  if ('logic' in node) return `(${node.rules.map((r) => filterSql(r, columns, params, tags)).join(` ${node.logic} `)})`;
  return `(${leafSql(node, columns, params, tags)})`;
}

/** The fields a filter tree reads (to join only the tables it needs). */
export function filterFields(node: FilterNode | null, into = new Set<string>()): Set<string> {
  if (!node) return into;
  if ('logic' in node) for (const r of node.rules) filterFields(r, into);
  else into.add(node.field);
  return into;
}

/** `ORDER BY` terms: the sort column, NULLS LAST (left out for NOT NULL columns), then the id the same way. */
export function orderSql(sort: ListSort, column: FilterColumn, idColumn: string): string {
  const dir = sort.desc ? 'DESC' : 'ASC';
  return `${column.sql} ${dir}${column.notNull ? '' : ' NULLS LAST'}, ${idColumn} ${dir}`;
}

/**
 * The rows after `(key, id)` in `orderSql`'s order. For a NOT NULL column this is a row comparison an
 * index on (column, id) bounds directly; for a nullable one, the NULL keys (sorted last) follow.
 */
export function afterSql(sort: ListSort, column: FilterColumn, idColumn: string, key: string | number | null, id: number, params: unknown[]): string {
  const op = sort.desc ? '<' : '>';
  params.push(id);
  const idParam = `$${params.length}::int`;
  if (key === null) return `(${column.sql} IS NULL AND ${idColumn} ${op} ${idParam})`;
  const keyParam = bind(params, key, column.kind);
  const after = `(${column.sql}, ${idColumn}) ${op} (${keyParam}, ${idParam})`;
  return column.notNull ? after : `(${after} OR ${column.sql} IS NULL)`;
}

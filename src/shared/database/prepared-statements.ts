import { createHash } from 'node:crypto';
import pg from 'pg';

/**
 * Hot statements, planned once per connection. `prepared\`…\`` (or `preparedSql(text)` for a text
 * built from a few fixed variants) registers a SQL text and returns it unchanged; `PreparingClient`,
 * the pool's client class (`extra.Client`), sends a registered text as a named statement
 * `{ name: hash of the text, text, values }`, so each connection parses and plans it once and then
 * only binds and runs it. Callers keep calling `manager.query(SQL, params)`, in transactions or not;
 * unregistered texts run unnamed as before. Mark only statements whose best plan does not depend on
 * their parameter values: after five runs PostgreSQL may switch a named statement to one generic plan,
 * which is wrong for a search pattern or a rare-vs-common value (measured in BENCHMARKS.md). On PGlite
 * every pool client shares one connection object and one backend session, so its cache of parsed
 * statements stays true and named statements work there too. The registry stops growing at
 * MAX_STATEMENTS, so a text built from user input can never fill the server's memory.
 */
const MAX_STATEMENTS = 500;
const names = new Map<string, string>();

export function preparedSql(text: string): string {
  if (!names.has(text) && names.size < MAX_STATEMENTS) names.set(text, `ld_${createHash('sha256').update(text).digest('hex').slice(0, 32)}`);
  return text;
}

export const prepared = (strings: TemplateStringsArray, ...values: unknown[]): string =>
  preparedSql(strings.reduce((text, part, i) => `${text}${String(values[i - 1])}${part}`));

/** The statement name a text runs under, or undefined when it runs unnamed. */
export const preparedName = (text: string): string | undefined => names.get(text);

export class PreparingClient extends pg.Client {
  // Loosely typed like pg's own overloads; only a (registered text, values) call is rewritten.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(config: any, values?: any, callback?: any): any {
    const name = typeof config === 'string' && typeof values !== 'function' ? names.get(config) : undefined;
    // eslint-disable-next-line @typescript-eslint/no-unsafe-argument
    return name ? super.query({ name, text: config as string, values: values as unknown[] | undefined }, callback) : super.query(config, values, callback);
  }
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { getMetadataStorage } from 'class-validator';
import { EnvironmentVariables, validateEnvironment } from '../../src/shared/config/app-config.js';

/**
 * `.env.example` cannot drift from the configuration class: it lists exactly the variables the server
 * reads, and each value is that variable's default, so a copy of the file used as `.env` changes nothing.
 */
const example = parseEnv(readFileSync(join(import.meta.dirname, '../../.env.example'), 'utf8'));

const declared = [
  ...new Set(
    getMetadataStorage()
      .getTargetValidationMetadatas(EnvironmentVariables, '', true, false)
      .map((m) => m.propertyName),
  ),
].sort();

test('.env.example lists every setting, and nothing else', () => {
  expect(declared.length).toBeGreaterThan(40);
  expect(Object.keys(example).sort()).toEqual(declared);
});

test('each value in .env.example is the default, and an empty value means unset', () => {
  const defaults = new EnvironmentVariables() as unknown as Record<string, unknown>;
  for (const name of declared) {
    const value = defaults[name];
    expect(example[name], name).toBe(value === undefined ? '' : String(value as string | number | boolean));
  }
  expect(validateEnvironment(example)).toEqual(validateEnvironment({}));
});

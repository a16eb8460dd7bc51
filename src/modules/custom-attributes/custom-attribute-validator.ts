import { Injectable } from '@nestjs/common';
import { isISO8601, isURL } from 'class-validator';
import { RE2JS } from 're2js';
import { InvalidFields, InvalidInput } from '../../shared/http/errors.js';
import { CustomAttributesRepository } from './custom-attributes.repository.js';
import type { AppliesTo, CustomAttributeEntity } from './entities/custom-attribute.entity.js';

/** Bounds on what one request may store, beyond the definitions' own rules. */
export const MAX_ATTRIBUTE_KEYS = 200;
export const MAX_TEXT_LENGTH = 10_000;
export const MAX_LINK_LENGTH = 2048;

export interface ValidatedAttributes {
  /** The keys to store, with their values as sent. */
  values: Record<string, unknown>;
  /** Keys sent as `null`: the caller removes them (a removal needs no definition, so values of a deleted definition can be cleared). */
  removed: string[];
}

export interface ValidateOptions {
  /** `reject` (400, the default) or `drop` silently, as `POST /conversations` does upstream. */
  unknownKeys?: 'reject' | 'drop';
}

/**
 * Checks `custom_attributes` values against their definitions (upstream checks them only in the
 * browser). Other modules use this service through CustomAttributesModule; every problem is a 400
 * naming the key in `data.fields`.
 */
@Injectable()
export class CustomAttributeValidator {
  constructor(private readonly repo: CustomAttributesRepository) {}

  async validate(appliesTo: AppliesTo, input: unknown, options: ValidateOptions = {}): Promise<ValidatedAttributes> {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw new InvalidInput('Custom attributes must be a JSON object mapping keys to values');
    }
    const entries = Object.entries(input as Record<string, unknown>);
    if (entries.length > MAX_ATTRIBUTE_KEYS) throw new InvalidInput(`At most ${MAX_ATTRIBUTE_KEYS} custom attributes per request`);
    const removed = entries.filter(([, v]) => v === null).map(([k]) => k);
    const given = entries.filter(([, v]) => v !== null);
    const definitions = new Map(
      (
        await this.repo.findByKeys(
          appliesTo,
          given.map(([k]) => k),
        )
      ).map((d) => [d.key, d]),
    );
    const values: Record<string, unknown> = {};
    const errors: Record<string, string> = {};
    for (const [key, value] of given) {
      const definition = definitions.get(key);
      if (!definition) {
        if (options.unknownKeys !== 'drop') errors[key] = `is not a defined ${appliesTo} attribute`;
        continue;
      }
      const problem = checkValue(definition, value);
      if (problem) errors[key] = problem;
      else values[key] = value;
    }
    if (Object.keys(errors).length > 0) {
      const message = Object.entries(errors)
        .map(([k, v]) => `custom attribute \`${k}\` ${v}`)
        .join('; ');
      throw new InvalidFields(errors, message.charAt(0).toUpperCase() + message.slice(1));
    }
    return { values, removed };
  }
}

/** Why `value` does not fit the definition, or null when it does. */
export function checkValue(definition: Pick<CustomAttributeEntity, 'dataType' | 'values' | 'regex' | 'regexHint'>, value: unknown): string | null {
  switch (definition.dataType) {
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? null : 'must be a finite number';
    case 'checkbox':
      return typeof value === 'boolean' ? null : 'must be true or false';
    case 'date':
      return typeof value === 'string' && value.length <= 64 && isISO8601(value, { strict: true, strictSeparator: true })
        ? null
        : 'must be an ISO 8601 date or date-time, e.g. 2025-09-14 or 2025-09-14T18:53:01Z';
    case 'link':
      return typeof value === 'string' &&
        value.length <= MAX_LINK_LENGTH &&
        isURL(value, { protocols: ['http', 'https'], require_protocol: true, require_valid_protocol: true, require_tld: false })
        ? null
        : 'must be an http or https URL';
    case 'list':
      return typeof value === 'string' && definition.values.includes(value) ? null : `must be one of: ${definition.values.join(', ')}`;
    case 'text': {
      if (typeof value !== 'string') return 'must be a string';
      if (value.length > MAX_TEXT_LENGTH) return `must be at most ${MAX_TEXT_LENGTH} characters`;
      if (definition.regex && !compileRegex(definition.regex).matcher(value).find()) {
        return definition.regexHint ? `does not match the required format: ${definition.regexHint}` : `must match ${definition.regex}`;
      }
      return null;
    }
  }
}

/**
 * Definitions' patterns are RE2 (as in upstream's Go), matched in linear time, so an admin's pattern
 * cannot stall the server on a long value. Throws on a pattern that does not compile.
 */
export function compileRegex(pattern: string): RE2JS {
  return RE2JS.compile(pattern);
}

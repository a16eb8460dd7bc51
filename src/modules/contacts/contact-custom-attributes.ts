import { InvalidFields } from '../../shared/http/errors.js';

export type CustomAttributeValue = string | number | boolean;

const MAX_KEYS = 100;
const KEY = /^[A-Za-z0-9_.-]{1,140}$/;
const MAX_TEXT = 10_000;

/**
 * The shape of the custom attribute values given when a contact is created: at most 100 keys of a safe
 * form, each a string, finite number or boolean. ContactsService then checks each key against its
 * contact definition (CustomAttributeValidator: unknown key, type, list values, regex, ISO dates).
 */
export function checkContactCustomAttributes(values: Record<string, unknown>): Record<string, CustomAttributeValue> {
  const entries = Object.entries(values);
  if (entries.length > MAX_KEYS) throw new InvalidFields({ custom_attributes: `at most ${MAX_KEYS} keys` });
  const out: Record<string, CustomAttributeValue> = {};
  for (const [key, value] of entries) {
    if (!KEY.test(key)) throw new InvalidFields({ custom_attributes: `key "${key.slice(0, 40)}" must be 1-140 letters, digits, _ . or -` });
    const ok = typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && value.length <= MAX_TEXT);
    if (!ok) throw new InvalidFields({ [`custom_attributes.${key}`]: `must be a string (up to ${MAX_TEXT} characters), a number or a boolean` });
    out[key] = value;
  }
  return out;
}

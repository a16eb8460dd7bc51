import { applyDecorators, Injectable, Param, PipeTransform } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { InvalidInput, NotFound } from './errors.js';

const MAX_INT = 2_147_483_647;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A positive integer id; one beyond the id column's range is well-formed but names nothing (404). */
export function parseId(value: unknown, name = 'id'): number {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^\d+$/.test(text) || Number(text) < 1) {
    throw new InvalidInput(`Invalid \`${name}\`: expected a positive integer`);
  }
  if (Number(text) > MAX_INT) throw new NotFound(`No resource has \`${name}\` ${text.length > 20 ? `${text.slice(0, 20)}…` : text}`);
  return Number(text);
}

export function parseUuid(value: unknown, name = 'uuid'): string {
  if (typeof value !== 'string' || !UUID.test(value)) throw new InvalidInput(`Invalid \`${name}\`: expected a UUID`);
  return value.toLowerCase();
}

@Injectable()
class IdPipe implements PipeTransform<string, number> {
  constructor(private readonly name: string) {}
  transform(value: string): number {
    return parseId(value, this.name);
  }
}

@Injectable()
class UuidPipe implements PipeTransform<string, string> {
  constructor(private readonly name: string) {}
  transform(value: string): string {
    return parseUuid(value, this.name);
  }
}

/**
 * Documents a path parameter on the route whose handler holds it, so the served document states what
 * the pipe enforces (a parameter decorator runs after the method is defined, so its descriptor exists).
 */
function documented(param: ParameterDecorator, schema: Record<string, unknown>, name: string): ParameterDecorator {
  return (target, key, index) => {
    param(target, key, index);
    if (key === undefined) return;
    const descriptor = Object.getOwnPropertyDescriptor(target, key);
    if (descriptor) applyDecorators(ApiParam({ name, required: true, schema }))(target, key, descriptor);
  };
}

/** A positive integer path parameter: anything else is a 400, one above the int4 range a 404. */
export const IdParam = (name = 'id') => documented(Param(name, new IdPipe(name)), { type: 'integer', minimum: 1 }, name);
/** A UUID path parameter; anything else is a 400. */
export const UuidParam = (name = 'uuid') => documented(Param(name, new UuidPipe(name)), { type: 'string', format: 'uuid' }, name);

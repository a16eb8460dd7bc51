import { Injectable, Param, PipeTransform } from '@nestjs/common';
import { InvalidInput } from './errors.js';

const MAX_INT = 2_147_483_647;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseId(value: unknown, name = 'id'): number {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^\d{1,10}$/.test(text) || Number(text) < 1 || Number(text) > MAX_INT) {
    throw new InvalidInput(`Invalid \`${name}\`: expected a positive integer`);
  }
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

/** A positive integer path parameter; anything else is a 400. */
export const IdParam = (name = 'id') => Param(name, new IdPipe(name));
/** A UUID path parameter; anything else is a 400. */
export const UuidParam = (name = 'uuid') => Param(name, new UuidPipe(name));

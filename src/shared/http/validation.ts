import { ArgumentMetadata, Injectable, PipeTransform, ValidationError, ValidationPipe } from '@nestjs/common';
import { InvalidFields, InvalidInput } from './errors.js';

function flatten(errors: ValidationError[], prefix = '', out: Record<string, string> = {}): Record<string, string> {
  for (const error of errors) {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    if (error.constraints) out[path] = Object.values(error.constraints)[0];
    if (error.children?.length) flatten(error.children, path, out);
  }
  return out;
}

const PRIMITIVES = new Set<unknown>([String, Boolean, Number, Array, Object]);

/** The first place a NUL character appears in a value (keys included), as a field path; PostgreSQL text cannot hold one. */
function nulAt(value: unknown, name: string): string | undefined {
  const stack: Array<[unknown, string]> = [[value, name]];
  while (stack.length) {
    const [node, path] = stack.pop()!;
    if (typeof node === 'string') {
      if (node.includes('\u0000')) return path;
    } else if (node !== null && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        const at = path ? `${path}.${key}` : key;
        if (key.includes('\u0000')) return at;
        stack.push([child, at]);
      }
    }
  }
  return undefined;
}

/**
 * The global validation pipe: class-validator DTOs, unknown properties dropped, types never coerced
 * (a string where a number belongs is a 400). A body that is not a JSON object is rejected before
 * class-validator sees it, and so is a NUL character anywhere in a body, query or path parameter.
 * Field problems are reported as `{"fields": {...}}` in the envelope.
 */
@Injectable()
export class AppValidationPipe implements PipeTransform {
  private readonly inner = new ValidationPipe({
    whitelist: true,
    transform: true,
    forbidUnknownValues: true,
    stopAtFirstError: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new InvalidFields(flatten(errors)),
  });

  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const nul = metadata.type === 'custom' ? undefined : nulAt(value, metadata.data ?? '');
    if (nul !== undefined) throw new InvalidFields({ [nul || metadata.type]: 'must not contain NUL characters' });
    // Primitive params and queries are parsed by explicit pipes (IdParam, parsePage); never coerced here.
    if (!metadata.metatype || PRIMITIVES.has(metadata.metatype)) return value;
    if (metadata.type === 'body') {
      if (value === undefined || value === null || value === '') value = {};
      if (typeof value !== 'object' || Array.isArray(value)) throw new InvalidInput('Request body must be a JSON object');
    }
    return this.inner.transform(value, metadata);
  }
}

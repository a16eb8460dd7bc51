import { ArgumentMetadata, Injectable, PipeTransform, Type, ValidationError, ValidationPipe } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { InvalidFields, InvalidInput } from './errors.js';

/**
 * One message per field: a missing field is "required", a `null` where the field takes none (it would
 * have been skipped by `@Nullable()`) "must not be null", and otherwise the first rule that fails in
 * declaration order (type before length). class-validator runs a property's rules bottom-up, so the
 * last failed constraint is the topmost declared one.
 */
function messageFor(error: ValidationError, path: string): string | undefined {
  if (!error.constraints) return undefined;
  if (error.value === undefined) return `${path} is required`;
  if (error.value === null) return `${path} must not be null`;
  return Object.values(error.constraints).at(-1);
}

function flatten(errors: ValidationError[], prefix = '', out: Record<string, string> = {}): Record<string, string> {
  for (const error of errors) {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    const message = messageFor(error, path);
    if (message) out[path] = message;
    else if (error.children?.length) flatten(error.children, path, out);
  }
  return out;
}

const PRIMITIVES = new Set<unknown>([String, Boolean, Number, Array, Object]);

const isDto = (metatype: Type) => getMetadataStorage().getTargetValidationMetadatas(metatype, '', false, false).length > 0;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** What is wrong with a string no field can hold: PostgreSQL text has no NUL, and UTF-8 has no lone surrogate. */
function badText(text: string): string | undefined {
  if (text.includes('\u0000')) return 'must not contain NUL characters';
  if (LONE_SURROGATE.test(text)) return 'must be valid Unicode (it has an unpaired surrogate)';
  return undefined;
}

/** The first string (value or key) in a value that no field can hold, as `[field path, problem]`. */
function badTextAt(value: unknown, name: string): [string, string] | undefined {
  const stack: Array<[unknown, string]> = [[value, name]];
  while (stack.length) {
    const [node, path] = stack.pop()!;
    if (typeof node === 'string') {
      const problem = badText(node);
      if (problem) return [path, problem];
    } else if (node !== null && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        const at = path ? `${path}.${key}` : key;
        const problem = badText(key);
        if (problem) return [at, problem];
        stack.push([child, at]);
      }
    }
  }
  return undefined;
}

/**
 * The global validation pipe: class-validator DTOs, unknown properties dropped, types never coerced
 * (a string where a number belongs is a 400). A body that is not a JSON object is rejected before
 * class-validator sees it, and so is a NUL character or a lone surrogate anywhere in a body, query or
 * path parameter (validator.js throws on the latter: a 500).
 * Field problems are reported as `{"fields": {...}}` in the envelope.
 */
@Injectable()
export class AppValidationPipe implements PipeTransform {
  private readonly inner = new ValidationPipe({
    whitelist: true,
    transform: true,
    forbidUnknownValues: true,
    validationError: { target: false, value: true },
    exceptionFactory: (errors) => new InvalidFields(flatten(errors)),
  });

  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const bad = metadata.type === 'custom' ? undefined : badTextAt(value, metadata.data ?? '');
    if (bad) throw new InvalidFields({ [bad[0] || metadata.type]: bad[1] });
    // Primitive params and queries are parsed by explicit pipes (IdParam, parsePage); never coerced here.
    if (!metadata.metatype || PRIMITIVES.has(metadata.metatype)) return value;
    if (metadata.type === 'body') {
      // No body at all reads as `{}`; a JSON `null` is a body, and not an object.
      if (value === undefined || value === '') value = {};
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new InvalidInput('Request body must be a JSON object');
    }
    // Only DTO classes are validated. Decorator metadata can name another function as the type (a type
    // alias sharing a name with a value, as `type Query` with Nest's `@Query`), and class-validator
    // would then refuse every request as "an unknown value".
    if (!isDto(metadata.metatype)) return value;
    return this.inner.transform(value, metadata);
  }
}

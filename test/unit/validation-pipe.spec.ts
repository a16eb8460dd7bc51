import 'reflect-metadata';
import { Query } from '@nestjs/common';
import { IsString } from 'class-validator';
import { AppValidationPipe } from '../../src/shared/http/validation.js';

/**
 * Found by `npm run fuzz`, which runs the tsc build: every conversation list answered 400
 * "an unknown value was passed to the validate function". The controller's `type Query = ...`
 * shares its name with Nest's `@Query` decorator, so tsc's decorator metadata named the decorator
 * function as the parameter's type, and the pipe validated the query string against it. Vitest's
 * transform emits `Object` there, so the e2e tests never saw it; this reproduces the metadata.
 */
class NamedDto {
  @IsString()
  name: string;
}

const pipe = new AppValidationPipe();

describe('AppValidationPipe', () => {
  test('a parameter typed as something that is not a DTO class passes through unvalidated', async () => {
    const query = { page: '2', page_size: '10' };
    await expect(pipe.transform(query, { type: 'query', metatype: Query as unknown as new () => unknown })).resolves.toBe(query);
    const plain = function NotADto() {};
    await expect(pipe.transform({ any: 'thing' }, { type: 'body', metatype: plain as unknown as new () => unknown })).resolves.toEqual({ any: 'thing' });
  });

  test('a DTO is still validated, and a non-object body is still refused', async () => {
    await expect(pipe.transform({ name: 'ok', extra: 1 }, { type: 'body', metatype: NamedDto })).resolves.toEqual({ name: 'ok' });
    await expect(pipe.transform({ name: 5 }, { type: 'body', metatype: NamedDto })).rejects.toMatchObject({
      status: 400,
      data: { fields: { name: expect.any(String) } },
    });
    await expect(pipe.transform([1], { type: 'body', metatype: NamedDto })).rejects.toMatchObject({ status: 400 });
  });

  test('strings no field can hold are refused wherever they are', async () => {
    await expect(pipe.transform({ a: { b: ['x\u0000'] } }, { type: 'body', metatype: NamedDto })).rejects.toMatchObject({
      data: { fields: { 'a.b.0': 'must not contain NUL characters' } },
    });
    await expect(pipe.transform('\ud800', { type: 'query', metatype: String, data: 'query' })).rejects.toMatchObject({
      data: { fields: { query: 'must be valid Unicode (it has an unpaired surrogate)' } },
    });
    await expect(pipe.transform('😀 fine', { type: 'query', metatype: String, data: 'query' })).resolves.toBe('😀 fine');
  });
});

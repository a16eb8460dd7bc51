import { QueryFailedError, QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { isDatabaseUnavailable } from '../../src/shared/http/exception.filter.js';

/**
 * What a lost database looks like to a request. Regression for the 500s the PostgreSQL-restart fault
 * test found: pg reports a dropped connection without an error code, and TypeORM then fails the rest
 * of the transaction with "query runner already released". All of these must become a 503.
 */
const failed = (driverError: Error & { code?: string }) => new QueryFailedError('SELECT 1', [], driverError);

test.each([
  ['a connection dropped mid-query', failed(new Error('Connection terminated unexpectedly'))],
  ['a pool that cannot connect in time', new Error('timeout exceeded when trying to connect')],
  ['a connection timeout on connect', new Error('Connection terminated due to connection timeout')],
  ['a client broken by an earlier error', new Error('Client has encountered a connection error and is not queryable')],
  ['the rest of a transaction whose connection died', new QueryRunnerProviderAlreadyReleasedError()],
  ['a released query runner', new QueryRunnerAlreadyReleasedError()],
  ['an administrator shutdown', failed(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))],
  ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
  ['the database starting up', Object.assign(new Error('the database system is starting up'), { code: '57P03' })],
])('%s is a 503', (_what, error) => {
  expect(isDatabaseUnavailable(error)).toBe(true);
});

test.each([
  ['a programming error', new TypeError("Cannot read properties of undefined (reading 'id')")],
  ['a unique violation', failed(Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' }))],
  ['a syntax error in SQL', failed(Object.assign(new Error('syntax error at or near "SELEC"'), { code: '42601' }))],
  ['a message that only mentions a lost connection', new Error('Connection terminated unexpectedly, said the upstream API')],
  ['nothing', null],
])('%s is not', (_what, error) => {
  expect(isDatabaseUnavailable(error)).toBe(false);
});

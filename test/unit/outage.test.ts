import { describe, expect, test } from 'vitest';
import { outageSource } from '../../src/infra/outage.js';

const coded = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('an outage is told from a bug', () => {
  test('lost connections to Postgres or Redis, however wrapped, are outages', () => {
    expect(outageSource(new Error('Connection terminated unexpectedly'))).toBe('postgres');
    expect(outageSource(new Error('timeout exceeded when trying to connect'))).toBe('postgres');
    expect(outageSource(coded('terminating connection due to administrator command', '57P01'))).toBe('postgres');
    expect(outageSource(coded('sorry, too many clients already', '53300'))).toBe('postgres');
    // drizzle wraps the driver's error; Node reports a multi-address connect as an AggregateError.
    expect(outageSource(new Error('Failed query: select 1', { cause: new Error('Connection terminated') }))).toBe('postgres');
    expect(outageSource(new AggregateError([coded('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')]))).toBe('network');
    expect(outageSource(Object.assign(new Error('Reached the max retries per request limit (which is 1).'), { name: 'MaxRetriesPerRequestError' }))).toBe('redis');
    expect(outageSource(new Error('Command timed out'))).toBe('redis');
  });

  test('bugs and refused statements are not outages (they stay 500s with a reference)', () => {
    expect(outageSource(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBeUndefined();
    expect(outageSource(coded('duplicate key value violates unique constraint', '23505'))).toBeUndefined();
    expect(outageSource(new Error('Failed query: insert', { cause: coded('invalid input syntax for type uuid', '22P02') }))).toBeUndefined();
    expect(outageSource('Connection terminated')).toBeUndefined();
  });
});

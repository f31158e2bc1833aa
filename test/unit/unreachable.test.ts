import { expect, test } from 'vitest';
import { connectionProblem, serviceAddress, ServiceUnreachableError } from '../../src/shared/unreachable.js';

const coded = (code: string, message = `connect ${code}`) => Object.assign(new Error(message), { code });

test('the address shown is host and port only: no user, password or database name', () => {
  expect(serviceAddress('postgres://app:pa55word@db.internal:6432/anime?sslmode=require')).toBe('db.internal:6432');
  expect(serviceAddress('redis://:pa55word@cache')).toBe('cache:6379');
  expect(serviceAddress('not a url')).toBe('the configured address');
  const error = new ServiceUnreachableError('Redis', 'rediss://u:pa55word@cache:6380/2', 'is unreachable: connection refused', 'REDIS_URL');
  expect(error.message).toBe('Redis at cache:6380 is unreachable: connection refused (check REDIS_URL and that Redis is running)');
});

test('network and login failures get a reason, wherever the driver put them; other errors none', () => {
  expect(connectionProblem(coded('ECONNREFUSED'))).toContain('connection refused');
  // localhost has two addresses: Node reports both failures in an AggregateError with no message.
  expect(connectionProblem(new AggregateError([coded('ECONNREFUSED'), coded('ECONNREFUSED')], ''))).toContain('connection refused');
  // drizzle wraps the driver's error in one whose message is the SQL.
  expect(connectionProblem(new Error('Failed query: CREATE SCHEMA', { cause: coded('ENOTFOUND') }))).toContain('host not found');
  expect(connectionProblem(coded('28P01', 'password authentication failed for user "app"'))).toBe('refused the login');
  expect(connectionProblem(new Error('WRONGPASS invalid username-password pair'))).toBe('refused the login');
  expect(connectionProblem(new Error('timeout expired'))).toContain('timed out');
  expect(connectionProblem(coded('42P01', 'relation "jobs" does not exist'))).toBeUndefined();
  expect(connectionProblem('ECONNREFUSED')).toBeUndefined();
});

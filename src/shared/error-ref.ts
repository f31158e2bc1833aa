import { randomBytes } from 'node:crypto';

/** A short reference a user can quote; the same id is written to the log beside the real error. */
export function errorRef(): string {
  return randomBytes(4).toString('hex');
}

import { UUID_PATTERN } from '../ids.js';
import type { Keyset } from './types.js';

const CURSOR = new RegExp(`^(\\d{1,17})_(${UUID_PATTERN})$`);

/** Cursors are plain `<micros>_<uuid>`: short, URL-safe, and checked on the way in, never trusted. */
export function encodeCursor(position: Keyset): string {
  return `${position.micros}_${position.id}`;
}

export function decodeCursor(cursor: string | undefined | null): Keyset | null | 'invalid' {
  if (cursor === undefined || cursor === null || cursor === '') return null;
  const match = CURSOR.exec(cursor);
  return match ? { micros: match[1]!, id: match[2]! } : 'invalid';
}

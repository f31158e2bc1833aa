import type { Keyset } from './types.js';

const CURSOR = /^(\d{1,17})_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** Cursors are plain `<micros>_<uuid>`: short, URL-safe, and checked on the way in, never trusted. */
export function encodeCursor(position: Keyset): string {
  return `${position.micros}_${position.id}`;
}

export function decodeCursor(cursor: string | undefined | null): Keyset | null | 'invalid' {
  if (cursor === undefined || cursor === null || cursor === '') return null;
  const match = CURSOR.exec(cursor);
  return match ? { micros: match[1]!, id: match[2]! } : 'invalid';
}

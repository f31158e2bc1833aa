/** A UUID in its canonical lower-case text form, for building larger patterns (links, cursors). */
export const UUID_PATTERN = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

const UUID = new RegExp(`^${UUID_PATTERN}$`, 'i');

/** Every id we make is a UUID: anything else is refused before it reaches a query or a path. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

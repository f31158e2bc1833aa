import { expect } from 'vitest';

/** What must never reach a user: stack frames, file paths, SQL, secrets. */
export function expectNoLeak(text: string, secrets: string[] = []): void {
  expect(text).not.toMatch(/\bat [\w.<>]+ \(|at file:|node:internal|\.ts:\d+|\.js:\d+/);
  expect(text).not.toMatch(/\/(work|tmp|home|root|usr|var|mnt)\//);
  expect(text).not.toMatch(/\b(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM)\b/);
  expect(text).not.toMatch(/postgres(ql)?:\/\/|redis:\/\//);
  for (const secret of secrets) if (secret.length >= 6) expect(text).not.toContain(secret);
}

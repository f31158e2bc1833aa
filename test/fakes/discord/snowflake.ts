import { randomBytes } from 'node:crypto';

const DISCORD_EPOCH = 1420070400000n;
let increment = 0n;

/** A real snowflake (timestamp in the high bits): discord.js derives createdAt from ids with DiscordSnowflake. */
export function snowflake(at = Date.now()): string {
  increment = (increment + 1n) & 0xfffn;
  return (((BigInt(at) - DISCORD_EPOCH) << 22n) | (1n << 17n) | increment).toString();
}

/** Interaction tokens are long opaque strings; tests must never be able to guess one. */
export function interactionToken(): string {
  return `aW50ZXJhY3Rpb246${randomBytes(48).toString('base64url')}`;
}

export function sessionId(): string {
  return randomBytes(16).toString('hex');
}

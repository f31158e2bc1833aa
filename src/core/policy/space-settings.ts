import { z } from 'zod';
import type { ChannelFacts } from '../actor.js';
import { patternProblem } from '../content/safe-pattern.js';
import { ruleMessage } from '../field-rules.js';
import { displayText, storableText } from '../text.js';
import type { Role } from '../roles.js';
import { DEFAULT_SPACE_ROLE } from './resolve-role.js';
import type { UserLimits } from './user-limits.js';

// Ceilings keep one space's admin from granting their members an unbounded share of shared GPUs.
const MAX_RATE_PER_MINUTE = 1000;
const MAX_BURST = 100;
const MAX_PENDING = 100;
/** Ten GPUs busy all day for one user. */
export const MAX_GPU_MINUTES_PER_DAY = 14_400;
const MAX_BLOCKLIST_WORDS = 500;
const MAX_PATTERNS = 50;
const MAX_NEGATIVE_PROMPT = 1000;

/** Limits a space or a role overrides; anything left out is inherited. */
const limitOverridesSchema = z.strictObject({
  ratePerMinute: z.number().int().min(1).max(MAX_RATE_PER_MINUTE).optional(),
  burst: z.number().int().min(0).max(MAX_BURST).optional(),
  maxPending: z.number().int().min(1).max(MAX_PENDING).optional(),
  /**
   * GPU minutes one user may use per UTC day (finished attempts; see docs/decisions.md). Left out:
   * inherited (none by default); null: no quota, even when the space sets one (e.g. for admins).
   */
  gpuMinutesPerDay: z.number().int().min(1).max(MAX_GPU_MINUTES_PER_DAY).nullable().optional(),
});
export type LimitOverrides = z.output<typeof limitOverridesSchema>;

const limitsSchema = z.strictObject({
  ...limitOverridesSchema.shape,
  // Viewers cannot generate, so only the roles that can have overrides.
  overrides: z
    .strictObject({
      creator: limitOverridesSchema.optional(),
      moderator: limitOverridesSchema.optional(),
      admin: limitOverridesSchema.optional(),
    })
    .prefault({}),
});

const blocklistWord = storableText()
  .trim()
  .min(1)
  .max(100)
  .refine((s) => /[\p{L}\p{N}]/u.test(s), { error: ruleMessage({ rule: 'needs_letter_or_digit' }) });

const blocklistPattern = storableText().superRefine((source, ctx) => {
  const problem = patternProblem(source);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: ruleMessage({ rule: 'safe_pattern', problem }), params: { problem } });
});

const nsfwChannel = storableText().min(1).max(100);

const contentSchema = z.strictObject({
  /** Words and phrases refused in prompts, matched after normalization (spacing, look-alikes). */
  blocklist: z.array(blocklistWord).max(MAX_BLOCKLIST_WORDS).default([]),
  /** Regular expressions (source only) run against the normalized prompt. */
  patterns: z.array(blocklistPattern).max(MAX_PATTERNS).default([]),
  /** Always appended to the negative prompt of every job in the space. */
  negativePrompt: displayText({ max: MAX_NEGATIVE_PROMPT }).default(''),
  /** Channel ids (Slack, web) admins marked NSFW; Discord channels carry their own flag. */
  nsfwChannels: z.array(nsfwChannel).max(MAX_BLOCKLIST_WORDS).default([]),
  /** The whole space is NSFW. */
  nsfwSpace: z.boolean().default(false),
});

/**
 * `spaces.settings` as admins write it. Strict: a misspelt key is an error, not a silent no-op.
 * `defaultRole` stops at creator: a higher default would make every member a moderator; admins map
 * platform roles for that instead.
 */
export const spaceSettingsSchema = z.strictObject({
  limits: limitsSchema.prefault({}),
  defaultRole: z.enum(['viewer', 'creator']).default(DEFAULT_SPACE_ROLE),
  content: contentSchema.prefault({}),
});

export type SpaceSettings = z.output<typeof spaceSettingsSchema>;
export type SpaceSettingsInput = z.input<typeof spaceSettingsSchema>;

export const DEFAULT_SPACE_SETTINGS: SpaceSettings = spaceSettingsSchema.parse({});

function section<T>(schema: z.ZodType<T>, raw: unknown, fallback: T): T {
  const parsed = schema.safeParse(raw);
  return parsed.success ? parsed.data : fallback;
}

/**
 * Reads stored settings without ever failing. Stored rows were validated on write, but rows from an
 * older version may not match today's schema; then each section falls back on its own, and list
 * entries that no longer pass are dropped one by one, so one bad pattern never costs the whole
 * blocklist.
 */
export function readSpaceSettings(raw: unknown): SpaceSettings {
  const whole = spaceSettingsSchema.safeParse(raw ?? {});
  if (whole.success) return whole.data;
  const record = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const content = typeof record.content === 'object' && record.content !== null ? (record.content as Record<string, unknown>) : {};
  const defaults = DEFAULT_SPACE_SETTINGS.content;
  const keep = <T>(schema: z.ZodType<T>, list: unknown): T[] =>
    Array.isArray(list) ? list.flatMap((item) => { const r = schema.safeParse(item); return r.success ? [r.data] : []; }) : [];
  return {
    limits: section(limitsSchema, record.limits ?? {}, DEFAULT_SPACE_SETTINGS.limits),
    defaultRole: section(spaceSettingsSchema.shape.defaultRole, record.defaultRole, DEFAULT_SPACE_SETTINGS.defaultRole),
    content: {
      blocklist: keep(blocklistWord, content.blocklist).slice(0, MAX_BLOCKLIST_WORDS),
      patterns: keep(blocklistPattern, content.patterns).slice(0, MAX_PATTERNS),
      negativePrompt: section(contentSchema.shape.negativePrompt, content.negativePrompt, defaults.negativePrompt),
      nsfwChannels: keep(nsfwChannel, content.nsfwChannels).slice(0, MAX_BLOCKLIST_WORDS),
      nsfwSpace: section(contentSchema.shape.nsfwSpace, content.nsfwSpace, defaults.nsfwSpace),
    },
  };
}

/** Global defaults (from config), then the space's values, then the space's values for this role. */
export function effectiveLimits(globalDefaults: UserLimits, settings: SpaceSettings, role: Role): UserLimits {
  const { overrides, ...space } = settings.limits;
  const forRole = role === 'viewer' ? undefined : overrides[role];
  const pick = (key: keyof UserLimits): number => forRole?.[key] ?? space[key] ?? globalDefaults[key];
  return { ratePerMinute: pick('ratePerMinute'), burst: pick('burst'), maxPending: pick('maxPending') };
}

/** GPU minutes per day for this role: the role's own value, else the space's; null means no quota. */
export function gpuQuotaMinutes(settings: SpaceSettings, role: Role): number | null {
  const forRole = role === 'viewer' ? undefined : settings.limits.overrides[role];
  const value = forRole?.gpuMinutesPerDay !== undefined ? forRole.gpuMinutesPerDay : settings.limits.gpuMinutesPerDay;
  return value ?? null;
}

/** NSFW is allowed when the whole space is marked, the platform flags the channel, or admins listed it. */
export function isNsfwAllowed(settings: SpaceSettings, channel?: ChannelFacts): boolean {
  if (settings.content.nsfwSpace) return true;
  if (channel === undefined) return false;
  return channel.nsfw || settings.content.nsfwChannels.includes(channel.id);
}

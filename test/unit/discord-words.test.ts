import { describe, expect, test } from 'vitest';
import { buildActor, hasAdminBits, memberRoleIds } from '../../src/bots/discord/actor.js';
import { buttonId, parseButtonId } from '../../src/bots/discord/custom-ids.js';
import { describeFailure, type Doing } from '../../src/bots/discord/words.js';
import { ordinal } from '../../src/core/job-message/bar.js';
import type { FailureCode } from '../../src/core/outcome.js';
import { fail, refuse } from '../../src/core/outcome.js';

const CODES: FailureCode[] = ['invalid_input', 'forbidden', 'not_found', 'rate_limited', 'too_many_pending', 'queue_full', 'content_refused', 'conflict', 'unavailable', 'internal'];
const NOW = 1_700_000_000_000;

describe('words for core failures', () => {
  test('every failure code has words for every action, without raw codes or stack text', () => {
    const doings: Doing[] = ['generate', 'cancel', 'delete', 'reroll', 'configure', 'token', 'list'];
    for (const code of CODES) {
      for (const doing of doings) {
        const text = describeFailure(refuse(code), doing, NOW);
        expect(text.length).toBeGreaterThan(10);
        expect(text).not.toMatch(/undefined|\bat \w+ \(|Error:/);
      }
    }
  });

  test('rate_limited says when to retry, in Discord time markup and in seconds', () => {
    const text = describeFailure(refuse('rate_limited', { retryAfterMs: 42_500 }), 'generate', NOW);
    expect(text).toBe(`You are generating too fast. Try again <t:${NOW / 1000 + 43}:R> (in about 43 s).`);
  });

  test('invalid_input names the slash-command option, not the internal field', () => {
    expect(describeFailure(fail({ reason: 'field_invalid', field: 'negativePrompt', rule: 'max', maximum: 1000, origin: 'string' }), 'generate')).toContain('`negative` option');
    expect(describeFailure(fail({ reason: 'field_invalid', field: 'prompt', rule: 'not_empty' }), 'generate')).toContain('`prompt` option');
  });

  test('content refusals explain the rule', () => {
    expect(describeFailure(refuse('content_refused', { reason: 'nsfw' }), 'generate')).toMatch(/NSFW/);
    expect(describeFailure(refuse('content_refused', { reason: 'blocklist' }), 'generate')).toMatch(/blocked/);
    expect(describeFailure(refuse('internal', { ref: 'abcd1234' }), 'generate')).toContain('abcd1234');
  });

  test('ordinals', () => {
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111].map(ordinal)).toEqual(['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '101st', '111th']);
  });
});

describe('custom ids', () => {
  test('round-trip and refuse anything else', () => {
    const id = '0b6f3c5e-8f7a-4c1e-9a55-3e2f1d0c9b8a';
    expect(parseButtonId(buttonId('reroll', id))).toEqual({ action: 'reroll', jobId: id });
    expect(parseButtonId(`ap:explode:${id}`)).toBeUndefined();
    expect(parseButtonId('ap:cancel:../../etc')).toBeUndefined();
    expect(parseButtonId('reroll')).toBeUndefined();
  });
});

describe('actor from an interaction', () => {
  const GUILD = '100';
  const base = { guildId: GUILD, user: { id: '7', username: 'aiko', globalName: null }, channelId: '55', channel: { nsfw: true, isThread: () => false } };

  test('raw API member (not cached): role ids from the array, admin from the permission bits', () => {
    const actor = buildActor({ ...base, guild: null, member: { roles: ['1', '2'], permissions: '32' }, memberPermissions: null } as never);
    expect(actor).toMatchObject({ platform: 'discord', spaceExternalId: GUILD, userExternalId: '7', platformRoles: ['1', '2'], isPlatformAdmin: false, channel: { id: '55', nsfw: true } });
    expect(hasAdminBits('32')).toBe(true);
    expect(hasAdminBits('8')).toBe(true);
    expect(hasAdminBits('2048')).toBe(false);
  });

  test('cached GuildMember: role ids from the cache without @everyone; the guild owner is admin', () => {
    const member = { roles: { cache: new Map([[GUILD, {}], ['3', {}]]) } };
    expect(memberRoleIds(member, GUILD)).toEqual(['3']);
    const actor = buildActor({ ...base, guild: { ownerId: '7', name: 'Studio' }, member, memberPermissions: null } as never);
    expect(actor).toMatchObject({ isPlatformAdmin: true, spaceName: 'Studio', platformRoles: ['3'] });
  });

  test('no actor outside a server', () => {
    expect(buildActor({ ...base, guildId: null } as never)).toBeNull();
  });
});

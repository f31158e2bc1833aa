import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createAdmission, createPolicyHooks } from '../src/app/policy-hooks.js';
import { loadConfig } from '../src/config.js';
import type { Actor } from '../src/core/actor.js';
import type { Identity } from '../src/core/records.js';
import { deletePrefix } from './redis-prefix.js';
import { summarize } from './stats.js';

const SAMPLES = Number(process.env.BENCH_POLICY_SAMPLES ?? 5000);
const PROMPTS = [
  'a girl with silver hair under cherry blossoms at night, detailed eyes, soft light',
  'a robot and a cat on a rooftop in a neon city, rain, cinematic',
  'two friends at a summer festival with fireworks, yukata, lanterns',
  'a dragon flying over snowy mountains at sunset, epic, wide shot',
];

/**
 * The whole admission decision for one request: role resolution, permission, space settings,
 * content policy (normalization + every rule) and the atomic Redis limits. Baseline: one Redis PING.
 */
export async function benchPolicy(): Promise<{ decision: ReturnType<typeof summarize>; baseline: ReturnType<typeof summarize> }> {
  const prefix = `apbench_policy_${Date.now().toString(36)}`;
  const config = loadConfig({ NODE_ENV: 'test', APP_SECRET: 'b'.repeat(16) + 'abcdefghijklmnop0123', QUEUE_PREFIX: prefix, RATE_LIMIT_PER_MINUTE: '100000', RATE_LIMIT_BURST: '100000', MAX_PENDING_PER_USER: '10000', MAX_QUEUE: '1000000' });
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  const hooks = createPolicyHooks(config);
  const admission = createAdmission(redis, config);
  const identity: Identity = {
    spaceId: randomUUID(),
    userId: randomUUID(),
    roleMapping: new Map([['role-1', 'creator']]),
    spaceSettings: { content: { blocklist: ['mecha', 'gore', 'spider'], negativePrompt: 'lowres, bad hands' } },
  };
  const actor: Actor = { platform: 'discord', spaceExternalId: 'g', userExternalId: 'u', platformRoles: ['role-1', 'role-2'], isPlatformAdmin: false, channel: { id: 'c', nsfw: false } };
  const decision: number[] = [];
  const baseline: number[] = [];
  try {
    for (let i = 0; i < SAMPLES + 200; i++) {
      const t0 = performance.now();
      await redis.ping();
      const t1 = performance.now();
      const role = hooks.resolveRole(actor, identity);
      if (!hooks.canGenerate(role)) throw new Error('bench actor cannot generate');
      const verdict = hooks.checkContent({ prompt: PROMPTS[i % PROMPTS.length]!, negativePrompt: 'blurry' }, { actor, identity });
      if (!verdict.ok) throw new Error('bench prompt refused');
      const admitted = await admission.admit({ userKey: identity.userId, jobId: `job-${i}`, limits: hooks.limitsFor(role, identity) });
      if (!admitted.ok) throw new Error('bench admission refused');
      const t2 = performance.now();
      if (i >= 200) {
        baseline.push(t1 - t0);
        decision.push(t2 - t1);
      }
    }
    return { decision: summarize(decision), baseline: summarize(baseline) };
  } finally {
    await redis.quit();
    await deletePrefix(prefix);
  }
}

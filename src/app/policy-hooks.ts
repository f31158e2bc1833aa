import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import type { AdmissionControl } from '../core/admission.js';
import { checkContent } from '../core/content/check-content.js';
import type { PolicyHooks } from '../core/generate-service.js';
import { fairPriority } from '../core/policy/fair-priority.js';
import { can } from '../core/policy/permissions.js';
import { resolveRole } from '../core/policy/resolve-role.js';
import { effectiveLimits, gpuQuotaMinutes, isNsfwAllowed, readSpaceSettings, type SpaceSettings } from '../core/policy/space-settings.js';
import type { Identity } from '../core/records.js';
import { isRole, type Role } from '../core/roles.js';
import { RedisLimiter } from '../infra/limits/redis-limiter.js';

function roleMapping(identity: Identity): Map<string, Role> {
  const mapping = new Map<string, Role>();
  for (const [platformRole, role] of identity.roleMapping) if (isRole(role)) mapping.set(platformRole, role);
  return mapping;
}

/**
 * Each request reads its space's settings once: every hook below asks about the same identity, so
 * the validated settings are remembered for the life of that identity object (one request).
 */
const parsedSettings = new WeakMap<Identity, SpaceSettings>();
function settingsOf(identity: Identity): SpaceSettings {
  let settings = parsedSettings.get(identity);
  if (!settings) {
    settings = readSpaceSettings(identity.spaceSettings);
    parsedSettings.set(identity, settings);
  }
  return settings;
}

/** The policy module's decisions, shaped for the generate service, with config's global defaults. */
export function createPolicyHooks(config: Config): PolicyHooks {
  const globalLimits = { ratePerMinute: config.RATE_LIMIT_PER_MINUTE, burst: config.RATE_LIMIT_BURST, maxPending: config.MAX_PENDING_PER_USER };
  return {
    resolveRole(actor, identity) {
      return resolveRole(actor, roleMapping(identity), settingsOf(identity).defaultRole);
    },
    canGenerate(role) {
      return can({ role, userId: '' }, 'generate');
    },
    limitsFor(role, identity) {
      return effectiveLimits(globalLimits, settingsOf(identity), role);
    },
    checkContent(text, { actor, identity }) {
      const settings = settingsOf(identity);
      return checkContent(text, {
        blocklist: settings.content.blocklist,
        patterns: settings.content.patterns,
        nsfwAllowed: isNsfwAllowed(settings, actor.channel),
      });
    },
    spaceNegative(identity) {
      return settingsOf(identity).content.negativePrompt;
    },
    fairPriority,
    gpuQuotaMinutes(role, identity) {
      return gpuQuotaMinutes(settingsOf(identity), role);
    },
  };
}

/** The Redis limiter behind the core's AdmissionControl port. */
export function createAdmission(redis: Redis, config: Config): AdmissionControl {
  const limiter = new RedisLimiter(redis, config.QUEUE_PREFIX, { maxQueue: config.MAX_QUEUE });
  return {
    admit: (request) => limiter.admit(request),
    async release(userKey, jobId) {
      await limiter.release(userKey, jobId);
    },
  };
}

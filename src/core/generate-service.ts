import { randomInt, randomUUID } from 'node:crypto';
import type { Actor } from './actor.js';
import type { AdmissionControl, EffectiveLimits } from './admission.js';
import { mergeCharacters, type CharacterResolver, type MergeableCharacter } from './characters/merge.js';
import type { JobEvent } from './events.js';
import { DEFAULT_REFERENCE_STRENGTH, generateRequestSchema, MAX_JOB_INPUTS, MAX_SEED, type GenerateRequest } from './generate-request.js';
import { parseInput } from './input-errors.js';
import { pickModel, type ModelCatalog, type OfferedModel } from './models.js';
import { fail, ok, refuse, type Outcome } from './outcome.js';
import { canOnResource } from './policy/permissions.js';
import type { JobEventBus, JobQueue, MediaStore } from './ports.js';
import { canSeeProject, readerOf } from './projects/visibility.js';
import type { AssetRecord, GenerateRecords, Identity, JobRecord, NewJobInput, ProjectForJob } from './records.js';
import { inputStorageKey, type UploadRecord, type UploadRecords } from './uploads/types.js';
import type { Role } from './roles.js';
import { roleAtLeast } from './roles.js';
import { quotaRefusal, quotaStatus, type GpuUsageReader } from './usage/gpu-quota.js';

export type JobListScope = 'mine' | 'space';

/** The policy decisions the service asks for; the policy module provides them. */
export interface PolicyHooks {
  resolveRole(actor: Actor, identity: Identity): Role;
  canGenerate(role: Role): boolean;
  limitsFor(role: Role, identity: Identity): EffectiveLimits;
  /** Content check of the final text; reason names the rule for the audit log. */
  checkContent(
    text: { prompt: string; negativePrompt: string },
    context: { actor: Actor; identity: Identity },
  ): { ok: true } | { ok: false; reason: string; term?: string };
  /** Negative prompt the space always appends. */
  spaceNegative(identity: Identity): string;
  fairPriority(pendingBefore: number): number;
  /** GPU minutes per UTC day for this role in this space; null (or no hook): no quota. */
  gpuQuotaMinutes?(role: Role, identity: Identity): number | null;
}

export interface GenerateServiceDeps {
  records: GenerateRecords;
  queue: JobQueue;
  events: JobEventBus;
  admission: AdmissionControl;
  policy: PolicyHooks;
  /** Where job files live, for Delete. */
  media: MediaStore;
  maxPromptLength: number;
  randomSeed?: () => number;
  /** Looks up `characters` named in a request; without it, naming characters is refused. */
  characters?: CharacterResolver;
  /** Today's finished GPU time per user, for the quota; without it no quota is enforced. */
  usage?: GpuUsageReader;
  now?: () => Date;
  /** Told when a news-only event (the "queued" announcement) could not be sent. */
  onEventLost?: (error: unknown) => void;
  /** The models users may pick. Without it every job runs on the backend's one model ('default'). */
  models?: ModelCatalog;
  /** Uploaded pictures, for reference_image and characters' references; without it both are refused. */
  uploads?: Pick<UploadRecords, 'getUpload'>;
}

/** A reference picture chosen for a job, before the job has its own copy. */
interface ChosenInput {
  upload: UploadRecord;
  characterId: string | null;
}

export interface Submitted {
  job: JobRecord;
  position: number;
  role: Role;
}

export interface JobView {
  job: JobRecord;
  assets: AssetRecord[];
  position: number;
}

/** Where the job came from, for the permission checks on reads and cancels. */
export interface Viewer {
  identity: Identity;
  role: Role;
}

/** Limits are per user row, and a user row is one identity in one space: so limits are per space. */
export function userKey(identity: Identity): string {
  return identity.userId;
}

/**
 * The one path every adapter's /generate takes: parse -> role -> content -> limits -> record -> queue.
 * Nothing is queued unless every check passed; every refusal is a typed outcome.
 */
export class GenerateService {
  private readonly schema;

  constructor(private readonly deps: GenerateServiceDeps) {
    this.schema = generateRequestSchema({ maxPromptLength: deps.maxPromptLength });
  }

  parse(input: unknown): Outcome<GenerateRequest> {
    return parseInput(this.schema, input);
  }

  async identify(actor: Actor): Promise<Viewer> {
    const identity = await this.deps.records.ensureIdentity(actor);
    return { identity, role: this.deps.policy.resolveRole(actor, identity) };
  }

  async submit(actor: Actor, input: unknown, reply?: unknown): Promise<Outcome<Submitted>> {
    const request = this.parse(input);
    if (!request.ok) return request;
    const { identity, role } = await this.identify(actor);
    const { policy, records } = this.deps;
    if (!policy.canGenerate(role)) {
      return refuse('forbidden', { reason: 'role' });
    }
    const project = await this.usableProject({ identity, role }, request.value.project, actor.channel?.id);
    if (!project) {
      return request.value.project
        ? fail('not_found', `no project named "${request.value.project}"`, { field: 'project' })
        : fail('not_found', 'no project you may use here; name one with project', { field: 'project' });
    }

    const model = pickModel(await this.models(), request.value.model);
    if (!model.ok) return model;

    const cast = await this.resolveCharacters(identity.spaceId, project.id, request.value.characters ?? []);
    if (!cast.ok) return cast;
    // Characters' fragments join the user's text in the one order mergeCharacters documents.
    const merged = mergeCharacters(
      { prompt: request.value.prompt, negativePrompt: request.value.negativePrompt ?? '', seed: request.value.seed, spaceNegative: policy.spaceNegative(identity) },
      cast.value,
    );
    const chosen = await this.chooseInputs(identity.spaceId, request.value.referenceImage, cast.value);
    if (!chosen.ok) return chosen;
    if (request.value.strength !== undefined && chosen.value.length === 0) {
      return fail('invalid_input', 'strength: needs referenceImage (or a character with reference pictures)', { field: 'strength' });
    }
    const verdict = policy.checkContent({ prompt: merged.prompt, negativePrompt: merged.negativeForCheck }, { actor, identity });
    if (!verdict.ok) {
      await records.audit({
        spaceId: identity.spaceId,
        actorUserId: identity.userId,
        action: 'generate.refused',
        target: 'content',
        details: { reason: verdict.reason, term: verdict.term ?? null, platform: actor.platform },
      });
      return refuse('content_refused', { reason: verdict.reason });
    }

    // Before admission, so a refused request spends neither a rate token nor a slot.
    const overQuota = await this.gpuQuotaRefusal(role, identity);
    if (overQuota) {
      await records.audit({
        spaceId: identity.spaceId,
        actorUserId: identity.userId,
        action: 'generate.refused',
        target: 'gpu_quota',
        details: { ...overQuota.details },
      });
      return overQuota;
    }

    const jobId = randomUUID();
    const limits = policy.limitsFor(role, identity);
    const admitted = await this.deps.admission.admit({ userKey: userKey(identity), jobId, limits });
    if (!admitted.ok) {
      const code = admitted.limit === 'rate' ? 'rate_limited' : admitted.limit === 'pending' ? 'too_many_pending' : 'queue_full';
      await records.audit({
        spaceId: identity.spaceId,
        actorUserId: identity.userId,
        action: 'generate.refused',
        target: 'limit',
        details: { limit: admitted.limit, retryAfterMs: admitted.retryAfterMs },
      });
      return refuse(code, { reason: admitted.limit, retryAfterMs: admitted.retryAfterMs });
    }

    let inputs: NewJobInput[] = [];
    try {
      inputs = await this.copyInputs(jobId, project.slug, chosen.value);
      const seed = merged.seed ?? (this.deps.randomSeed ?? defaultSeed)();
      const job = await records.createJob({
        id: jobId,
        spaceId: identity.spaceId,
        projectId: project.id,
        userId: identity.userId,
        platform: actor.platform,
        kind: request.value.kind,
        // The canonical id, so a re-roll asks for the same model even if it was named by its label.
        request: { ...request.value, ...(request.value.model === undefined ? {} : { model: model.value.id }) },
        model: model.value.id,
        modelName: model.value.label,
        promptSent: merged.prompt,
        negativeSent: merged.negative,
        characterIds: merged.characterIds,
        characterNames: merged.characterNames,
        loras: merged.loras,
        seed,
        width: request.value.width,
        height: request.value.height,
        steps: request.value.steps,
        count: request.value.count,
        priority: policy.fairPriority(admitted.pendingBefore),
        reply,
        referenceStrength: inputs.length > 0 ? (request.value.strength ?? DEFAULT_REFERENCE_STRENGTH) : null,
        inputs,
      }, { projectSlug: project.slug, userExternalId: actor.userExternalId });
      // The place in line comes from the record, so it need not wait for the queue's answer.
      const [, position] = await Promise.all([this.deps.queue.enqueue(job.id, job.priority), records.queuePosition(job)]);
      // News only: the caller already has the place in line, so the request need not wait for Redis.
      this.deps.events.publish({ type: 'queued', jobId: job.id, at: Date.now(), position }).catch((error: unknown) => this.deps.onEventLost?.(error));
      return ok({ job, position, role });
    } catch (error) {
      // Nothing was queued: give the slot back before reporting the failure.
      await this.deps.admission.release(userKey(identity), jobId);
      for (const input of inputs) await this.deps.media.remove(input.storageKey).catch(() => undefined);
      throw error;
    }
  }

  /**
   * The pictures a job sends, in the order the backend receives them: the requester's own, then
   * each character's references in the order the characters were named (a picture used twice counts once).
   */
  private async chooseInputs(spaceId: string, referenceImage: string | undefined, cast: readonly MergeableCharacter[]): Promise<Outcome<ChosenInput[]>> {
    const wanted: Array<{ uploadId: string; characterId: string | null; field: string }> = [];
    if (referenceImage) wanted.push({ uploadId: referenceImage, characterId: null, field: 'referenceImage' });
    const seen = new Set<string>();
    for (const character of cast) {
      if (seen.has(character.id)) continue;
      seen.add(character.id);
      for (const uploadId of character.referenceImages ?? []) wanted.push({ uploadId, characterId: character.id, field: 'characters' });
    }
    const unique = wanted.filter((w, i) => wanted.findIndex((o) => o.uploadId === w.uploadId) === i).slice(0, MAX_JOB_INPUTS);
    if (unique.length === 0) return ok([]);
    if (!this.deps.uploads) return fail('invalid_input', 'reference pictures are not available here', { field: unique[0]!.field });
    const chosen: ChosenInput[] = [];
    for (const want of unique) {
      // Another space's id is as unknown as a missing one.
      const upload = await this.deps.uploads.getUpload(spaceId, want.uploadId);
      if (!upload) return fail('not_found', `${want.field}: no such uploaded image`, { field: want.field });
      chosen.push({ upload, characterId: want.characterId });
    }
    return ok(chosen);
  }

  /** The job's own copy of each picture, beside its outputs: moves and deletes take them along, cleaning uploads never does. */
  private async copyInputs(jobId: string, projectSlug: string, chosen: readonly ChosenInput[]): Promise<NewJobInput[]> {
    const copies: NewJobInput[] = [];
    const createdAt = this.deps.now?.() ?? new Date();
    try {
      for (const [index, { upload, characterId }] of chosen.entries()) {
        const ext = upload.storageKey.slice(upload.storageKey.lastIndexOf('.') + 1);
        const storageKey = inputStorageKey({ projectSlug, createdAt, jobId, index, ext });
        await this.deps.media.put(storageKey, await this.deps.media.read(upload.storageKey));
        copies.push({ id: randomUUID(), index, uploadId: upload.id, characterId, mime: upload.mime, width: upload.width, height: upload.height, bytes: upload.bytes, sha256: upload.sha256, storageKey });
      }
      return copies;
    } catch (error) {
      for (const copy of copies) await this.deps.media.remove(copy.storageKey).catch(() => undefined);
      throw error;
    }
  }

  /** The models users may pick (first = default), with what the backends last reported. */
  async models(): Promise<OfferedModel[]> {
    return this.deps.models ? this.deps.models.list() : [{ id: 'default', label: 'Default', available: null }];
  }

  /** A job as its owner (or a moderator of its space) may see it. */
  async view(viewer: Viewer, jobId: string): Promise<Outcome<JobView>> {
    const job = await this.deps.records.getJob(jobId);
    if (!job || !mayRead(viewer, job)) return fail('not_found', 'no such job');
    const [assets, position] = await Promise.all([this.deps.records.listAssets(job.id), this.deps.records.queuePosition(job)]);
    return ok({ job, assets, position });
  }

  async cancel(viewer: Viewer, jobId: string): Promise<Outcome<JobRecord>> {
    const job = await this.deps.records.getJob(jobId);
    if (!job || !mayRead(viewer, job)) return fail('not_found', 'no such job');
    const own = job.userId === viewer.identity.userId;
    if (!canOnResource(policyActor(viewer), 'cancel_job', { ownerId: job.userId })) {
      return fail('forbidden', 'only the author or a moderator may cancel this job');
    }
    const audit = { spaceId: job.spaceId, actorUserId: viewer.identity.userId, action: 'job.cancelled', target: job.id, details: { own } };
    if (!(await this.deps.records.cancelJob(job.id, audit))) return fail('conflict', `the job has already ${job.status === 'completed' ? 'finished' : 'ended'}`);
    await this.deps.queue.removeWaiting(job.id);
    await this.deps.admission.release(job.userId, job.id);
    await this.publish({ type: 'cancelled', jobId: job.id, at: Date.now(), by: own ? 'user' : 'moderator' });
    const updated = await this.deps.records.getJob(job.id);
    return ok(updated ?? job);
  }

  /** The same request again with a new seed (the Re-roll button). */
  async reroll(actor: Actor, jobId: string, reply?: unknown): Promise<Outcome<Submitted>> {
    const viewer = await this.identify(actor);
    const job = await this.deps.records.getJob(jobId);
    if (!job || job.spaceId !== viewer.identity.spaceId) return fail('not_found', 'no such job');
    // A job in a project one may not see is as unknown as the project (its slug must not leak).
    const project = await this.deps.records.resolveProject(job.spaceId, viewer.identity.userId, job.projectSlug, undefined);
    if (project && !canSeeProject(readerOf(viewer), project)) return fail('not_found', 'no such job');
    const { seed: _seed, ...request } = (job.request ?? {}) as Record<string, unknown>;
    return this.submit(actor, { ...request, project: job.projectSlug }, reply);
  }

  /** Deletes a job's files (the Delete button): the author, or a moderator. */
  async deleteOutputs(viewer: Viewer, jobId: string): Promise<Outcome<{ deleted: number }>> {
    const job = await this.deps.records.getJob(jobId);
    if (!job || job.spaceId !== viewer.identity.spaceId) return fail('not_found', 'no such job');
    if (!canOnResource(policyActor(viewer), 'delete_image', { ownerId: job.userId })) {
      return fail('forbidden', 'only the author or a moderator may delete this image');
    }
    const keys = await this.deps.records.deleteAssets(job.id, {
      spaceId: job.spaceId,
      actorUserId: viewer.identity.userId,
      action: 'image.deleted',
      target: job.id,
      details: { own: job.userId === viewer.identity.userId },
    });
    // Files go only after their rows and the audit row committed: a failed commit deletes nothing.
    for (const key of keys) await this.deps.media.remove(key);
    return ok({ deleted: keys.length });
  }

  /** A user's own jobs, or (moderators) the space's, newest first. */
  async listJobs(viewer: Viewer, scope: JobListScope, statuses?: JobRecord['status'][], limit = 25): Promise<Outcome<JobRecord[]>> {
    if (scope === 'space' && !roleAtLeast(viewer.role, 'moderator')) return fail('forbidden', 'only moderators may list everyone\'s jobs');
    const jobs = await this.deps.records.listJobs({
      spaceId: viewer.identity.spaceId,
      ...(scope === 'mine' ? { userId: viewer.identity.userId } : {}),
      ...(statuses ? { statuses } : {}),
      limit,
    });
    return ok(jobs);
  }

  async setReply(jobId: string, reply: unknown): Promise<void> {
    await this.deps.records.setReply(jobId, reply);
  }

  /**
   * The project a request goes to, through the one visibility rule: a named project one may not see
   * is null, exactly like a missing one; a channel default one may not see is as if the channel had
   * none (the space default).
   */
  private async usableProject(viewer: Viewer, slug: string | undefined, channelId: string | undefined): Promise<ProjectForJob | null> {
    const reader = readerOf(viewer);
    const { spaceId, userId } = viewer.identity;
    const project = await this.deps.records.resolveProject(spaceId, userId, slug, channelId);
    if (project && canSeeProject(reader, project)) return project;
    if (slug || !channelId || !project) return null;
    const fallback = await this.deps.records.resolveProject(spaceId, userId, undefined, undefined);
    return fallback && canSeeProject(reader, fallback) ? fallback : null;
  }

  private async resolveCharacters(spaceId: string, projectId: string, names: readonly string[]): Promise<Outcome<MergeableCharacter[]>> {
    if (names.length === 0) return ok([]);
    if (!this.deps.characters) return fail('invalid_input', 'characters are not available here', { field: 'characters' });
    const found = await this.deps.characters.resolve(spaceId, projectId, names);
    if (found.ok) return ok(found.characters);
    return fail('invalid_input', `characters: no character named "${found.unknown}" in this project or space`, { field: 'characters' });
  }

  private async gpuQuotaRefusal(role: Role, identity: Identity) {
    const limitMinutes = this.deps.policy.gpuQuotaMinutes?.(role, identity) ?? null;
    if (limitMinutes === null || !this.deps.usage) return null;
    const now = this.deps.now?.() ?? new Date();
    return quotaRefusal(await quotaStatus(this.deps.usage, identity.userId, limitMinutes, now), now);
  }

  private async publish(event: JobEvent): Promise<void> {
    await this.deps.events.publish(event);
  }
}

function policyActor(viewer: Viewer) {
  return { role: viewer.role, userId: viewer.identity.userId };
}

function mayRead(viewer: Viewer, job: JobRecord): boolean {
  if (job.spaceId !== viewer.identity.spaceId) return false;
  return job.userId === viewer.identity.userId || roleAtLeast(viewer.role, 'moderator');
}

function defaultSeed(): number {
  return randomInt(0, MAX_SEED);
}

import { randomInt, randomUUID } from 'node:crypto';
import type { Actor } from './actor.js';
import type { AdmissionControl, EffectiveLimits } from './admission.js';
import { mergeCharacters, type CharacterResolver, type MergeableCharacter } from './characters/merge.js';
import type { JobEvent } from './events.js';
import { DEFAULT_REFERENCE_STRENGTH, generateRequestSchema, MAX_JOB_INPUTS, MAX_SEED, type GenerateRequest } from './generate-request.js';
import { parseInput } from './input-errors.js';
import { pickModel, type ModelCatalog, type OfferedModel } from './models.js';
import { fail, ok, refuse, type Failure, type Outcome } from './outcome.js';
import type { JobRoute } from './routes.js';
import { canOnResource } from './policy/permissions.js';
import type { JobEventBus, JobQueue, MediaStore } from './ports.js';
import { canSeeProject, readerOf } from './projects/visibility.js';
import { assetViews } from './outputs.js';
import { recipeInputsOf, recipeKey, recipeOfJob, startRoleOf, type TemplateVersions } from './recipes/recipe.js';
import { TwinFinder, type ReuseRecords, type ReuseSettings } from './recipes/reuse.js';
import { childRequest, startingPicture, type OutputRelation } from './family/derive.js';
import type { AssetRecord, GenerateRecords, Identity, JobParent, JobRecord, NewJob, NewJobInput, ProjectForJob } from './records.js';
import { inputStorageKey, type UploadRecord, type UploadRecords } from './uploads/types.js';
import type { Role } from './roles.js';
import { roleAtLeast } from './roles.js';
import { quotaRefusal, quotaStatus, type GpuUsageReader } from './usage/gpu-quota.js';
import type { Eta, JobWaits } from './wait/estimate.js';

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
  /** Expected start and finish of queued jobs; without it the queued message shows the place only. */
  waits?: JobWaits;
  /** Answers identical recipes from stored files (and lets identical requests share one render); without it every job renders. */
  reuse?: ReuseSettings;
  /** The version of what a request will be built from (template hash), part of the recipe. */
  templates?: TemplateVersions;
  /** Uploaded pictures, for reference_image and characters' references; without it both are refused. */
  uploads?: Pick<UploadRecords, 'getUpload'>;
}

/** A reference picture chosen for a job, before the job has its own copy: an upload, or another job's output. */
interface ChosenInput {
  picture: Pick<UploadRecord, 'storageKey' | 'mime' | 'width' | 'height' | 'bytes' | 'sha256'>;
  uploadId: string | null;
  characterId: string | null;
  /** Its part in the recipe: the requester's picture, a character's, or the picture an upscale enlarges. */
  role: 'reference' | 'character' | 'upscale';
}

export interface SubmitOptions {
  /** Re-roll and the like: render even when an identical recipe was made or is being made. */
  alwaysRender?: boolean;
  /** The job this one is made from (its family in the gallery). */
  parent?: JobParent;
  /** The parent's output the job starts from, in the place of the requester's reference picture. */
  startFrom?: AssetRecord;
}

export interface Submitted {
  job: JobRecord;
  position: number;
  /** When it should start and finish, if it could be estimated. */
  eta?: Eta;
  role: Role;
}

export interface JobView {
  job: JobRecord;
  assets: AssetRecord[];
  position: number;
  eta?: Eta;
  /** Jobs made from this one (variations, upscales, re-rolls), oldest first; read by view() only. */
  children?: JobRecord[];
}

/** Children a job's status names at most. */
const MAX_CHILDREN_LISTED = 50;

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

  private readonly twins: TwinFinder | undefined;
  private readonly reuseRecords: ReuseRecords | undefined;

  constructor(private readonly deps: GenerateServiceDeps) {
    this.schema = generateRequestSchema({ maxPromptLength: deps.maxPromptLength });
    this.twins = deps.reuse ? new TwinFinder(deps.reuse, () => deps.now?.() ?? new Date()) : undefined;
    this.reuseRecords = deps.reuse?.records;
  }

  parse(input: unknown): Outcome<GenerateRequest> {
    return parseInput(this.schema, input);
  }

  async identify(actor: Actor): Promise<Viewer> {
    const identity = await this.deps.records.ensureIdentity(actor);
    return { identity, role: this.deps.policy.resolveRole(actor, identity) };
  }

  async submit(actor: Actor, input: unknown, reply?: unknown, options: SubmitOptions = {}): Promise<Outcome<Submitted>> {
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
        ? fail({ reason: 'project_unknown', slug: request.value.project }, { field: 'project' })
        : fail({ reason: 'no_usable_project' }, { field: 'project' });
    }

    const offered = await this.models();
    const model = pickModel(offered, request.value.model);
    if (!model.ok) return model;
    const unroutable = refuseUnroutable(offered, model.value.id, request.value.kind);
    if (unroutable) return unroutable;

    const cast = await this.resolveCharacters(identity.spaceId, project.id, request.value.characters ?? []);
    if (!cast.ok) return cast;
    // Characters' fragments join the user's text in the one order mergeCharacters documents.
    const merged = mergeCharacters(
      { prompt: request.value.prompt, negativePrompt: request.value.negativePrompt ?? '', seed: request.value.seed, spaceNegative: policy.spaceNegative(identity) },
      cast.value,
    );
    const chosen = await this.chooseInputs(identity.spaceId, request.value.referenceImage, cast.value, options);
    if (!chosen.ok) return chosen;
    if (request.value.strength !== undefined && chosen.value.length === 0) {
      return fail({ reason: 'strength_without_image', field: 'strength' });
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

    const seed = merged.seed ?? (this.deps.randomSeed ?? defaultSeed)();
    const upscale = options.parent?.relation === 'upscale';
    const templateVersion = (await this.deps.templates?.versionFor({ kind: request.value.kind, model: model.value.id, ...(upscale ? { operation: 'upscale' as const } : {}) })) ?? '';
    const fields = {
      kind: request.value.kind,
      promptSent: merged.prompt,
      negativeSent: merged.negative,
      seed,
      width: request.value.width,
      height: request.value.height,
      steps: request.value.steps,
      count: request.value.count,
      model: model.value.id,
      loras: merged.loras,
      templateVersion,
    };
    const referenceStrength = chosen.value.length > 0 ? (request.value.strength ?? DEFAULT_REFERENCE_STRENGTH) : null;
    // The pictures are part of the recipe by their bytes (sha256), in the order the backend receives them.
    const recipeInputs = recipeInputsOf(
      chosen.value.map(({ picture, characterId }) => ({ characterId, sha256: picture.sha256 })),
      referenceStrength,
      startRoleOf(options),
    );
    const key = recipeKey(recipeOfJob(fields, recipeInputs));
    // A reused or waiting record keeps its own copies of the pictures too (copyInputs below), so
    // its recipe is whole and a waiter promoted to render has what to send.
    const twins = options.alwaysRender ? undefined : this.twins;
    const viewer = { identity, role };
    const draft = (jobId: string, priority: number): NewJob => ({
      ...fields,
      id: jobId,
      spaceId: identity.spaceId,
      projectId: project.id,
      userId: identity.userId,
      platform: actor.platform,
      // The canonical id, so a re-roll asks for the same model even if it was named by its label.
      request: { ...request.value, ...(request.value.model === undefined ? {} : { model: model.value.id }) },
      modelName: model.value.label,
      characterIds: merged.characterIds,
      characterNames: merged.characterNames,
      priority,
      reply,
      recipeKey: key,
      parent: options.parent ?? null,
      // With reuse off nothing waits on a twin, so nothing needs the one-render-in-flight index.
      alwaysRender: !twins?.enabled,
    });
    const context = { projectSlug: project.slug, userExternalId: actor.userExternalId };

    // A finished twin answers at once: no GPU time, so the quota does not apply.
    const finished = twins ? await twins.finished(viewer, key) : undefined;
    const rendering = twins && !finished ? await twins.rendering(viewer, key) : undefined;

    // Before admission, so a refused request spends neither a rate token nor a slot.
    const overQuota = finished || rendering ? null : await this.gpuQuotaRefusal(role, identity);
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

    let queued = false;
    let inputs: NewJobInput[] = [];
    try {
      inputs = await this.copyInputs(jobId, project.slug, chosen.value);
      const job = { ...draft(jobId, policy.fairPriority(admitted.pendingBefore)), ...(inputs.length > 0 ? { inputs, referenceStrength } : {}) };
      const answered = finished ? await this.answerFromTwin(job, finished.job, context) : undefined;
      if (answered) return ok({ job: answered, position: 0, role });
      let waiting = rendering ? await this.reuseRecords!.recordWaiting(job, rendering.job.id, context) : null;
      let created = waiting ?? (await records.createJob(job, context));
      if (!created) {
        // An identical request in this project won the race to render: wait on it, or (if it
        // ended meanwhile) take its files; past that it renders on its own.
        const twin = await twins?.rendering(viewer, key);
        waiting = twin ? await this.reuseRecords!.recordWaiting(job, twin.job.id, context) : null;
        const late = waiting ? undefined : await twins?.finished(viewer, key);
        const lateAnswer = late ? await this.answerFromTwin(job, late.job, context) : undefined;
        if (lateAnswer) return ok({ job: lateAnswer, position: 0, role });
        created = waiting ?? (await records.createJob({ ...job, alwaysRender: true }, context));
      }
      if (!created) throw new Error('job insert returned no row');
      queued = true;
      if (waiting) {
        // Not in the queue: its place in line is its twin's.
        const twin = await records.getJob(waiting.reusedFrom ?? '');
        const position = twin ? await records.queuePosition(twin) : 0;
        this.deps.events.publish({ type: 'queued', jobId: waiting.id, at: Date.now(), position }).catch((error: unknown) => this.deps.onEventLost?.(error));
        return ok({ job: waiting, position, role });
      }
      // The place in line comes from the record, so it need not wait for the queue's answer.
      const [, position, eta] = await Promise.all([
        this.deps.queue.enqueue(created.id, created.priority, { kind: created.kind, model: model.value.id }),
        records.queuePosition(created),
        this.deps.waits?.estimate(created.id),
      ]);
      // News only: the caller already has the place in line, so the request need not wait for Redis.
      this.deps.events.publish({ type: 'queued', jobId: created.id, at: Date.now(), position, ...(eta ? { eta } : {}) }).catch((error: unknown) => this.deps.onEventLost?.(error));
      return ok({ job: created, position, role, ...(eta ? { eta } : {}) });
    } catch (error) {
      // Nothing was queued: give the slot back before reporting the failure.
      if (!queued) {
        await this.deps.admission.release(userKey(identity), jobId);
        for (const input of inputs) await this.deps.media.remove(input.storageKey).catch(() => undefined);
      }
            throw error;
    }
  }

  /**
   * The pictures a job sends, in the order the backend receives them: the requester's own, then
   * each character's references in the order the characters were named (a picture used twice counts once).
   */
  private async chooseInputs(spaceId: string, referenceImage: string | undefined, cast: readonly MergeableCharacter[], options: SubmitOptions): Promise<Outcome<ChosenInput[]>> {
    const start = options.startFrom;
    const first: ChosenInput[] = start ? [{ picture: start, uploadId: null, characterId: null, role: options.parent?.relation === 'upscale' ? 'upscale' : 'reference' }] : [];
    const wanted: Array<{ uploadId: string; characterId: string | null; field: string }> = [];
    if (referenceImage && !start) wanted.push({ uploadId: referenceImage, characterId: null, field: 'referenceImage' });
    const seen = new Set<string>();
    for (const character of cast) {
      if (seen.has(character.id)) continue;
      seen.add(character.id);
      for (const uploadId of character.referenceImages ?? []) wanted.push({ uploadId, characterId: character.id, field: 'characters' });
    }
    const unique = wanted.filter((w, i) => wanted.findIndex((o) => o.uploadId === w.uploadId) === i).slice(0, MAX_JOB_INPUTS - first.length);
    if (unique.length === 0) return ok(first);
    if (!this.deps.uploads) return fail({ reason: 'references_unavailable', field: unique[0]!.field });
    const chosen: ChosenInput[] = [...first];
    for (const want of unique) {
      // Another space's id is as unknown as a missing one.
      const upload = await this.deps.uploads.getUpload(spaceId, want.uploadId);
      if (!upload) return fail({ reason: 'upload_unknown', field: want.field });
      chosen.push({ picture: upload, uploadId: upload.id, characterId: want.characterId, role: want.characterId ? 'character' : 'reference' });
    }
    return ok(chosen);
  }

  /** The job's own copy of each picture, beside its outputs: moves and deletes take them along, cleaning uploads never does. */
  private async copyInputs(jobId: string, projectSlug: string, chosen: readonly ChosenInput[]): Promise<NewJobInput[]> {
    const copies: NewJobInput[] = [];
    const createdAt = this.deps.now?.() ?? new Date();
    try {
      for (const [index, { picture, uploadId, characterId }] of chosen.entries()) {
        const ext = picture.storageKey.slice(picture.storageKey.lastIndexOf('.') + 1);
        const storageKey = inputStorageKey({ projectSlug, createdAt, jobId, index, ext });
        await this.deps.media.put(storageKey, await this.deps.media.read(picture.storageKey));
        copies.push({ id: randomUUID(), index, uploadId, characterId, mime: picture.mime, width: picture.width, height: picture.height, bytes: picture.bytes, sha256: picture.sha256, storageKey });
      }
      return copies;
    } catch (error) {
      for (const copy of copies) await this.deps.media.remove(copy.storageKey).catch(() => undefined);
      throw error;
    }
  }

  /**
   * Records `job` as answered by a finished twin's files and announces it completed; the slot is
   * free again before the announcement. Undefined when the twin's files went meanwhile.
   */
  private async answerFromTwin(job: NewJob, twin: JobRecord, context: { projectSlug: string; userExternalId: string }): Promise<JobRecord | undefined> {
    const reused = await this.reuseRecords!.recordReused(job, twin.id, context);
    if (!reused) return undefined;
    await this.deps.admission.release(job.userId, job.id);
    await this.publish({ type: 'completed', jobId: job.id, at: Date.now(), assets: assetViews(reused.assets), durationMs: 0, seed: job.seed, backend: reused.job.backend ?? 'unknown', reused: true });
    return reused.job;
  }

  /** The models users may pick (first = default), with what the backends last reported. */
  async models(): Promise<OfferedModel[]> {
    return this.deps.models ? this.deps.models.list() : [{ id: 'default', label: 'Default', available: null }];
  }

  /** A job as its owner (or a moderator of its space) may see it. */
  async view(viewer: Viewer, jobId: string): Promise<Outcome<JobView>> {
    const job = await this.deps.records.getJob(jobId);
    if (!job || !mayRead(viewer, job)) return fail({ reason: 'job_unknown' });
    const [assets, position, eta, children] = await Promise.all([
      this.deps.records.listAssets(job.id),
      this.deps.records.queuePosition(job),
      job.status === 'queued' ? this.deps.waits?.estimate(job.id) : undefined,
      this.deps.records.listChildren(job.id, MAX_CHILDREN_LISTED),
    ]);
    return ok({ job, assets, position, children, ...(eta ? { eta } : {}) });
  }

  async cancel(viewer: Viewer, jobId: string): Promise<Outcome<JobRecord>> {
    const job = await this.deps.records.getJob(jobId);
    if (!job || !mayRead(viewer, job)) return fail({ reason: 'job_unknown' });
    const own = job.userId === viewer.identity.userId;
    if (!canOnResource(policyActor(viewer), 'cancel_job', { ownerId: job.userId })) {
      return fail({ reason: 'not_permitted', action: 'cancel_job' });
    }
    const audit = { spaceId: job.spaceId, actorUserId: viewer.identity.userId, action: 'job.cancelled', target: job.id, details: { own } };
    if (!(await this.deps.records.cancelJob(job.id, audit))) return fail({ reason: 'job_ended', finished: job.status === 'completed' });
    const route = { kind: job.kind, model: job.model || ((await this.models())[0]?.id ?? 'default') };
    await this.deps.queue.removeWaiting(job.id, route);
    await this.deps.admission.release(job.userId, job.id);
    // Others' requests waiting on this render are not cancelled with it: one of them renders now.
    const promoted = await this.reuseRecords?.promoteWaiting(job.id);
    // A twin has the same recipe, so the same route.
    if (promoted) await this.deps.queue.enqueue(promoted.id, promoted.priority, route);
    await this.publish({ type: 'cancelled', jobId: job.id, at: Date.now(), by: own ? 'user' : 'moderator' });
    const updated = await this.deps.records.getJob(job.id);
    return ok(updated ?? job);
  }

  /** The same request again with a new seed (the Re-roll button), recorded as the job's child. */
  async reroll(actor: Actor, jobId: string, reply?: unknown): Promise<Outcome<Submitted>> {
    const job = await this.familyParent(actor, jobId);
    if (!job.ok) return job;
    const { seed: _seed, ...request } = (job.value.request ?? {}) as Record<string, unknown>;
    const parent: JobParent = { jobId: job.value.id, output: null, relation: 'reroll' };
    return this.submit(actor, { ...request, project: job.value.projectSlug }, reply, { alwaysRender: true, parent });
  }

  /**
   * Variations (the same recipe from output `output` at the variation strength, new seed) or Upscale
   * (that output at twice its size) of a finished job: a new job, its child. Always rendered: a
   * variation is asked for to differ, and a job with pictures never waits on a twin (decisions.md).
   */
  async fromOutput(actor: Actor, jobId: string, relation: OutputRelation, output: number, reply?: unknown): Promise<Outcome<Submitted>> {
    const job = await this.familyParent(actor, jobId);
    if (!job.ok) return job;
    const picture = startingPicture(job.value, await this.deps.records.listAssets(job.value.id), output, relation);
    if (!picture.ok) return picture;
    const request = childRequest(job.value, picture.value, relation);
    if (!request.ok) return request;
    const parent: JobParent = { jobId: job.value.id, output, relation };
    return this.submit(actor, request.value, reply, { alwaysRender: true, parent, startFrom: picture.value });
  }

  /** A job one may make children of: in one's space, in a project one may see (as its chat post is seen). */
  private async familyParent(actor: Actor, jobId: string): Promise<Outcome<JobRecord>> {
    const viewer = await this.identify(actor);
    const job = await this.deps.records.getJob(jobId);
    if (!job || job.spaceId !== viewer.identity.spaceId) return fail({ reason: 'job_unknown' });
    // A job in a project one may not see is as unknown as the project (its slug must not leak).
    const project = await this.deps.records.resolveProject(job.spaceId, viewer.identity.userId, job.projectSlug, undefined);
    if (project && !canSeeProject(readerOf(viewer), project)) return fail({ reason: 'job_unknown' });
    return ok(job);
  }

  /**
   * "Run this recipe again": the job's request in its project, with the seed it ran on (an
   * identical recipe, answered from its files while the reuse window holds) or a new one. Only a
   * job one may read, like its recipe.
   */
  async runAgain(actor: Actor, jobId: string, seed: 'same' | 'new', reply?: unknown): Promise<Outcome<Submitted>> {
    const viewer = await this.identify(actor);
    const job = await this.deps.records.getJob(jobId);
    if (!job || !mayRead(viewer, job)) return fail({ reason: 'job_unknown' });
    const project = await this.deps.records.resolveProject(job.spaceId, viewer.identity.userId, job.projectSlug, undefined);
    if (!project || !canSeeProject(readerOf(viewer), project)) return fail({ reason: 'job_unknown' });
    const { seed: _seed, ...request } = (job.request ?? {}) as Record<string, unknown>;
    return this.submit(actor, { ...request, project: job.projectSlug, ...(seed === 'same' ? { seed: job.seed } : {}) }, reply);
  }

  /** Deletes a job's files (the Delete button): the author, or a moderator. */
  async deleteOutputs(viewer: Viewer, jobId: string): Promise<Outcome<{ deleted: number }>> {
    const job = await this.deps.records.getJob(jobId);
    if (!job || job.spaceId !== viewer.identity.spaceId) return fail({ reason: 'job_unknown' });
    if (!canOnResource(policyActor(viewer), 'delete_image', { ownerId: job.userId })) {
      return fail({ reason: 'not_permitted', action: 'delete_image' });
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
    if (scope === 'space' && !roleAtLeast(viewer.role, 'moderator')) return fail({ reason: 'not_permitted', action: 'list_space_jobs' });
    const jobs = await this.deps.records.listJobs({
      spaceId: viewer.identity.spaceId,
      ...(scope === 'mine' ? { userId: viewer.identity.userId } : {}),
      ...(statuses ? { statuses } : {}),
      limit,
    });
    return ok(jobs);
  }

  /**
   * The caller's own latest jobs with their files, newest first (the try page's "recent jobs"):
   * one read for all their assets, a place in line only for the queued ones.
   */
  async recentJobs(viewer: Viewer, limit: number): Promise<JobView[]> {
    const jobs = await this.deps.records.listJobs({ spaceId: viewer.identity.spaceId, userId: viewer.identity.userId, limit, withoutDeleted: true });
    const assets = await this.deps.records.listAssetsOf(jobs.map((job) => job.id));
    return Promise.all(
      jobs.map(async (job) => ({ job, assets: assets.get(job.id) ?? [], position: job.status === 'queued' ? await this.deps.records.queuePosition(job) : 0 })),
    );
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
    if (!this.deps.characters) return fail({ reason: 'characters_unavailable', field: 'characters' });
    const found = await this.deps.characters.resolve(spaceId, projectId, names);
    if (found.ok) return ok(found.characters);
    return fail({ reason: 'character_unknown', field: 'characters', name: found.unknown });
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

/**
 * A job no backend can run is refused before anything is queued. Image jobs are covered by the
 * model's availability (pickModel); a video job also needs a backend whose video template runs
 * with that model. Unknown (no backend reported lately) queues: the backend has the last word.
 */
function refuseUnroutable(offered: readonly OfferedModel[], modelId: string, kind: JobRoute['kind']): Failure | undefined {
  if (kind !== 'video') return undefined;
  const model = offered.find((m) => m.id === modelId);
  if (model?.videoAvailable !== false) return undefined;
  const others = offered.filter((m) => m.videoAvailable !== false && m.id !== modelId).map((m) => m.id);
  return fail({ reason: 'video_unroutable', field: 'kind', model: modelId, choices: others });
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

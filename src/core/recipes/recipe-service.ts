import { fail, ok, type Outcome } from '../outcome.js';
import { canSeeProject, readerOf } from '../projects/visibility.js';
import type { GenerateRecords, JobRecord } from '../records.js';
import { roleAtLeast, type Role } from '../roles.js';
import { recipeInputsOf, startRoleOf, type RecipeInput } from './recipe.js';

/** A job and the pictures it sent (or will send), as its recipe lists them. */
export interface JobRecipe {
  job: JobRecord;
  inputs: RecipeInput[];
}

/** The backend request a job's latest attempt sent (job_workflows). */
export interface SentWorkflow {
  attempt: number;
  backend: string;
  template: string;
  templateVersion: string;
  workflow: unknown;
  sentAt: Date;
}

export interface WorkflowRecords {
  workflowOf(jobId: string): Promise<SentWorkflow | null>;
}

interface Requester {
  identity: { spaceId: string; userId: string };
  role: Role;
}

/**
 * A job's recipe and the workflow it sent, for download. Readable by whoever may read the job
 * (its author, the space's moderators) and, once it is finished, by whoever may see its project:
 * the gallery shows them its recipe anyway. Everything else answers like a job that does not exist.
 */
export class RecipeService {
  constructor(private readonly deps: { records: Pick<GenerateRecords, 'getJob' | 'resolveProject' | 'listInputs'>; workflows: WorkflowRecords }) {}

  async recipe(requester: Requester, jobId: string): Promise<Outcome<JobRecipe>> {
    const job = await this.readable(requester, jobId);
    if (!job) return fail({ reason: 'job_unknown' });
    return ok(await this.recipeForGallery(job));
  }

  /** For the gallery, after it checked the reader may see this finished image. */
  async recipeForGallery(job: JobRecord): Promise<JobRecipe> {
    // A reused record has its own copies of the same pictures (same bytes, so the same inputs).
    const pictures = await this.deps.records.listInputs(job.id);
    return { job, inputs: recipeInputsOf(pictures, job.referenceStrength ?? null, startRoleOf(job)) };
  }

  /**
   * The exact workflow sent. A built-in job sent none (its renderer takes the recipe itself), and a
   * job that has not reached a backend yet has none either: both say so, naming the recipe instead.
   */
  async workflow(requester: Requester, jobId: string): Promise<Outcome<{ job: JobRecord; sent: SentWorkflow }>> {
    const job = await this.readable(requester, jobId);
    if (!job) return fail({ reason: 'job_unknown' });
    // A reused job sent nothing itself: the files (and so the workflow) are its twin's.
    const sent = await this.deps.workflows.workflowOf(job.reusedFrom ?? job.id);
    if (sent) return ok({ job, sent });
    if (job.backend === 'builtin') return fail({ reason: 'workflow_not_sent', builtin: true });
    return fail({ reason: 'workflow_not_sent', builtin: false });
  }

  /** For the gallery, after it checked the reader may see this finished image. */
  async workflowForGallery(job: JobRecord): Promise<SentWorkflow | null> {
    return this.deps.workflows.workflowOf(job.reusedFrom ?? job.id);
  }

  private async readable(requester: Requester, jobId: string): Promise<JobRecord | null> {
    const job = await this.deps.records.getJob(jobId);
    return job && (await this.mayRead(requester, job)) ? job : null;
  }

  private async mayRead(requester: Requester, job: JobRecord): Promise<boolean> {
    if (job.spaceId !== requester.identity.spaceId) return false;
    const owner = job.userId === requester.identity.userId || roleAtLeast(requester.role, 'moderator');
    const project = await this.deps.records.resolveProject(job.spaceId, requester.identity.userId, job.projectSlug, undefined);
    // A private project one was removed from hides even one's own job, as everywhere else.
    if (!project || !canSeeProject(readerOf(requester), project)) return false;
    return owner || job.status === 'completed';
  }
}

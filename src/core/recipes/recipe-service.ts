import { fail, ok, type Outcome } from '../outcome.js';
import { canSeeProject, readerOf } from '../projects/visibility.js';
import type { GenerateRecords, JobRecord } from '../records.js';
import { roleAtLeast, type Role } from '../roles.js';

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
  constructor(private readonly deps: { records: Pick<GenerateRecords, 'getJob' | 'resolveProject'>; workflows: WorkflowRecords }) {}

  async recipe(requester: Requester, jobId: string): Promise<Outcome<JobRecord>> {
    const job = await this.deps.records.getJob(jobId);
    if (!job || !(await this.mayRead(requester, job))) return fail({ reason: 'job_unknown' });
    return ok(job);
  }

  /**
   * The exact workflow sent. A built-in job sent none (its renderer takes the recipe itself), and a
   * job that has not reached a backend yet has none either: both say so, naming the recipe instead.
   */
  async workflow(requester: Requester, jobId: string): Promise<Outcome<{ job: JobRecord; sent: SentWorkflow }>> {
    const readable = await this.recipe(requester, jobId);
    if (!readable.ok) return readable;
    const job = readable.value;
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

  private async mayRead(requester: Requester, job: JobRecord): Promise<boolean> {
    if (job.spaceId !== requester.identity.spaceId) return false;
    const owner = job.userId === requester.identity.userId || roleAtLeast(requester.role, 'moderator');
    const project = await this.deps.records.resolveProject(job.spaceId, requester.identity.userId, job.projectSlug, undefined);
    // A private project one was removed from hides even one's own job, as everywhere else.
    if (!project || !canSeeProject(readerOf(requester), project)) return false;
    return owner || job.status === 'completed';
  }
}

import { eq } from 'drizzle-orm';
import { isUuid } from '../core/ids.js';
import type { SentWorkflow, WorkflowRecords } from '../core/recipes/recipe-service.js';
import type { Database } from './client.js';
import { jobWorkflows } from './schema.js';

export class PostgresWorkflowRecords implements WorkflowRecords {
  constructor(private readonly db: Database) {}

  async workflowOf(jobId: string): Promise<SentWorkflow | null> {
    if (!isUuid(jobId)) return null;
    const [row] = await this.db.select().from(jobWorkflows).where(eq(jobWorkflows.jobId, jobId));
    return row ? { attempt: row.attempt, backend: row.backend, template: row.template, templateVersion: row.templateVersion, workflow: row.workflow, sentAt: row.sentAt } : null;
  }
}

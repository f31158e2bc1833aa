import { sql } from 'drizzle-orm';
import { projectMembers, projects } from './schema.js';

/** Is this user on the project's member list: a correlated EXISTS, one index probe per project. */
export const memberOf = (userId: string) =>
  sql<boolean>`exists (select 1 from ${projectMembers} where ${projectMembers.projectId} = ${projects.id} and ${projectMembers.userId} = ${userId})`;

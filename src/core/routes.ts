/**
 * What a job needs from a backend: its kind (the template that makes it) and its model. Every
 * backend says which routes it can run (from its /object_info), and a job waits only where a
 * backend that can run it looks.
 */
export type JobKind = 'image' | 'video';
export const JOB_KINDS: readonly JobKind[] = ['image', 'video'];

export interface JobRoute {
  kind: JobKind;
  model: string;
}

/** "image.anything-v5": how reports name a route (model ids have no dot at their start). */
export function routeKey(route: JobRoute): string {
  return `${route.kind}.${route.model}`;
}

/** Every route the offered models make. */
export function allRoutes(modelIds: readonly string[]): JobRoute[] {
  return modelIds.flatMap((model) => JOB_KINDS.map((kind) => ({ kind, model })));
}

/** The route of a recorded job; a job recorded before models has the default model. */
export function routeOfJob(job: { kind: JobKind; model?: string | null }, defaultModel: string): JobRoute {
  return { kind: job.kind, model: job.model || defaultModel };
}

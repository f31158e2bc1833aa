import { recipeKey, recipeOfJob } from '../core/recipes/recipe.js';
import type { JobRecipe } from '../core/recipes/recipe-service.js';

/** Names the downloaded file after the job, so several recipes can sit in one folder. */
export function attachmentName(jobId: string, what: 'recipe' | 'workflow'): string {
  return `attachment; filename="${what}-${jobId}.json"`;
}

/**
 * A job's recipe as downloaded: everything that decided the render (the resolved prompt and
 * negative, seed, size, steps, model, LoRAs, template version, reference inputs), the characters
 * it named, the request as it was given (what "run again" submits), and the reuse key.
 */
export function recipeJson({ job, inputs }: JobRecipe) {
  const recipe = recipeOfJob(job, inputs);
  return {
    format: 'anime-production/recipe@1',
    job_id: job.id,
    project: job.projectSlug,
    created_at: job.createdAt.toISOString(),
    status: job.status,
    reused: Boolean(job.reusedFrom),
    kind: recipe.kind,
    prompt: recipe.prompt,
    negative_prompt: recipe.negativePrompt,
    seed: recipe.seed,
    width: recipe.width,
    height: recipe.height,
    steps: recipe.steps,
    count: recipe.count,
    model: job.model ? { id: job.model, name: job.modelName || job.model } : null,
    loras: recipe.loras,
    characters: job.characterNames ?? [],
    template_version: recipe.templateVersion,
    inputs: recipe.inputs,
    backend: job.backend,
    request: job.request,
    // Jobs older than recipes have no stored key; theirs is computed the same way.
    recipe_key: job.recipeKey ?? recipeKey(recipe),
  };
}

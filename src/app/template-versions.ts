import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config.js';
import type { TemplateVersions } from '../core/recipes/recipe.js';
import { readTemplateVersion, UPSCALE_TEMPLATE } from '../worker/backends/comfyui/workflow.js';
import { workflowsDirOf } from './backend-check.js';

const BUILTIN_SOURCES = fileURLToPath(new URL('../worker/backends/builtin', import.meta.url));

/**
 * The built-in renderer's "template" is its code: a hash of its source files, so a change to how
 * it draws is a new version and an old picture no longer answers a new request.
 */
async function builtinVersion(): Promise<string> {
  const hash = createHash('sha256');
  for (const name of (await readdir(BUILTIN_SOURCES)).filter((n) => n.endsWith('.ts')).sort()) {
    hash.update(name).update('\0').update(await readFile(join(BUILTIN_SOURCES, name))).update('\0');
  }
  return `builtin@${hash.digest('hex').slice(0, 16)}`;
}

/**
 * What a request will be built from, as the worker will read it: for ComfyUI the template file
 * the worker picks (video, a model's own template, else COMFYUI_WORKFLOW), hashed as it is now,
 * plus the model's checkpoint; for the built-in renderer its code's hash (read once).
 */
export function templateVersions(config: Pick<Config, 'COMFYUI_URL' | 'COMFYUI_WORKFLOW' | 'COMFYUI_WORKFLOWS_DIR' | 'models'>): TemplateVersions {
  if (!config.COMFYUI_URL) {
    let builtin: Promise<string> | undefined;
    return {
      versionFor: () => {
        builtin ??= builtinVersion();
        return builtin;
      },
    };
  }
  const dir = workflowsDirOf(config);
  return {
    async versionFor({ kind, model, operation }) {
      // Upscale runs its own model-free template, whatever model the parent had.
      if (operation === 'upscale') return readTemplateVersion(dir, UPSCALE_TEMPLATE).catch(() => `${UPSCALE_TEMPLATE}@unreadable`);
      const offer = config.models.find((m) => m.id === model) ?? config.models[0];
      const template = kind === 'video' ? 'video' : (offer?.template ?? config.COMFYUI_WORKFLOW);
      // An unreadable template fails the job in the worker with its own words; the recipe only names it.
      const version = await readTemplateVersion(dir, template).catch(() => `${template}@unreadable`);
      return offer?.checkpoint ? `${version}+${offer.checkpoint}` : version;
    },
  };
}

import { describe, expect, test } from 'vitest';
import { GenerationError } from '../../src/core/errors.js';
import { applyGenerationInput, loadWorkflowTemplate, parseTitleTags, setRoleValue, type ApiWorkflow } from '../../src/worker/backends/comfyui/workflow.js';
import { contractInput } from '../contract/generator-contract.js';
import { WORKFLOWS_DIR } from '../fakes/comfyui/harness.js';

/** A Flux-style graph: SamplerCustomAdvanced fed by RandomNoise, BasicScheduler and a Flux text encoder. */
const FLUX: ApiWorkflow = {
  '6': { class_type: 'CLIPTextEncodeFlux', inputs: { clip_l: '', t5xxl: '', guidance: 3.5, clip: ['11', 0] }, _meta: { title: 'Prompt $prompt' } },
  '11': { class_type: 'DualCLIPLoader', inputs: { clip_name1: 't5xxl_fp16.safetensors', clip_name2: 'clip_l.safetensors', type: 'flux' } },
  '12': { class_type: 'UNETLoader', inputs: { unet_name: 'flux1-dev.safetensors', weight_dtype: 'default' }, _meta: { title: '$model' } },
  '25': { class_type: 'RandomNoise', inputs: { noise_seed: 1 }, _meta: { title: '$seed:noise_seed' } },
  '17': { class_type: 'BasicScheduler', inputs: { scheduler: 'simple', steps: 20, denoise: 1, model: ['12', 0] }, _meta: { title: '$steps $denoise' } },
  '27': { class_type: 'EmptySD3LatentImage', inputs: { width: 1024, height: 1024, batch_size: 1 }, _meta: { title: '$width $height $count' } },
  '22': { class_type: 'BasicGuider', inputs: { model: ['12', 0], conditioning: ['6', 0] } },
  '16': { class_type: 'KSamplerSelect', inputs: { sampler_name: 'euler' } },
  '13': { class_type: 'SamplerCustomAdvanced', inputs: { noise: ['25', 0], guider: ['22', 0], sampler: ['16', 0], sigmas: ['17', 0], latent_image: ['27', 0] } },
  '8': { class_type: 'VAEDecode', inputs: { samples: ['13', 0], vae: ['10', 0] } },
  '10': { class_type: 'VAELoader', inputs: { vae_name: 'ae.safetensors' } },
  '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'flux', images: ['8', 0] }, _meta: { title: 'Save $output' } },
  '30': { class_type: 'PreviewImage', inputs: { images: ['8', 0] } },
};

function invalid(run: () => unknown): GenerationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(GenerationError);
    expect(error).toMatchObject({ code: 'workflow_invalid', retry: 'never' });
    return error as GenerationError;
  }
  throw new Error('expected workflow_invalid');
}

describe('role tags in node titles', () => {
  test('parses several tags per title, with and without an input name, ignoring other words', () => {
    expect(parseTitleTags('$width $height $count')).toEqual([
      { role: 'width', input: undefined },
      { role: 'height', input: undefined },
      { role: 'count', input: undefined },
    ]);
    expect(parseTitleTags('Noise $seed:noise_seed')).toEqual([{ role: 'seed', input: 'noise_seed' }]);
    expect(parseTitleTags('costs US$5, no tags')).toEqual([]);
  });

  test('a Flux graph (SamplerCustomAdvanced, RandomNoise) is driven entirely by its tags', () => {
    const before = structuredClone(FLUX);
    const { workflow, roles } = applyGenerationInput(FLUX, contractInput({ prompt: 'she said "hi" }', seed: 4242, steps: 9, count: 2, width: 768, height: 512 }));
    expect(FLUX).toEqual(before);
    expect(workflow['6']!.inputs).toMatchObject({ clip_l: 'she said "hi" }', t5xxl: 'she said "hi" }', guidance: 3.5 });
    expect(workflow['25']!.inputs.noise_seed).toBe(4242);
    expect(workflow['17']!.inputs).toMatchObject({ steps: 9, denoise: 1 });
    expect(workflow['27']!.inputs).toEqual({ width: 768, height: 512, batch_size: 2 });
    expect(workflow['9']!.inputs.filename_prefix).toBe('anime-production_00000000-0000-4000-8000-000000000001');
    expect(roles).toMatchObject({ tagged: true, samplerId: undefined, positiveId: '6', negativeId: undefined, saveIds: ['9'] });
    // The model role is exposed for whoever sets it; nothing touched it here.
    expect(roles.targets.model).toEqual([{ nodeId: '12', input: 'unet_name' }]);
    expect(workflow['12']!.inputs.unet_name).toBe('flux1-dev.safetensors');
    setRoleValue(workflow, roles.targets.model, 'flux1-schnell.safetensors');
    expect(workflow['12']!.inputs.unet_name).toBe('flux1-schnell.safetensors');
    expect(roles.targets.denoise).toEqual([{ nodeId: '17', input: 'denoise' }]);
  });

  test('a video model graph (Wan-style latent with a frame length) takes size and prompt from its tags and keeps its frames', () => {
    const video: ApiWorkflow = {
      '6': { class_type: 'CLIPTextEncode', inputs: { text: '', clip: ['38', 0] }, _meta: { title: '$prompt' } },
      '7': { class_type: 'CLIPTextEncode', inputs: { text: '', clip: ['38', 0] }, _meta: { title: '$negative' } },
      '38': { class_type: 'CLIPLoader', inputs: { clip_name: 'umt5_xxl.safetensors', type: 'wan' } },
      '40': { class_type: 'EmptyHunyuanLatentVideo', inputs: { width: 832, height: 480, length: 33, batch_size: 1 }, _meta: { title: '$width $height' } },
      '3': { class_type: 'KSampler', inputs: { seed: 0, steps: 30, cfg: 6, sampler_name: 'uni_pc', scheduler: 'simple', denoise: 1, model: ['37', 0], positive: ['6', 0], negative: ['7', 0], latent_image: ['40', 0] }, _meta: { title: '$seed $steps' } },
      '37': { class_type: 'UNETLoader', inputs: { unet_name: 'wan2.1_t2v_1.3B.safetensors', weight_dtype: 'default' } },
      '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['39', 0] } },
      '39': { class_type: 'VAELoader', inputs: { vae_name: 'wan_2.1_vae.safetensors' } },
      '28': { class_type: 'SaveWEBM', inputs: { images: ['8', 0], filename_prefix: 'wan', codec: 'vp9', fps: 16, crf: 32 }, _meta: { title: '$output' } },
    };
    const { workflow, roles } = applyGenerationInput(video, contractInput({ kind: 'video', width: 512, height: 320, seed: 3, steps: 12, negativePrompt: 'static' }));
    expect(workflow['40']!.inputs).toEqual({ width: 512, height: 320, length: 33, batch_size: 1 });
    expect(workflow['3']!.inputs).toMatchObject({ seed: 3, steps: 12 });
    expect(workflow['7']!.inputs.text).toBe('static');
    expect(workflow['28']!.inputs.filename_prefix).toMatch(/^anime-production_/);
    expect(roles).toMatchObject({ samplerId: '3', saveIds: ['28'], tagged: true });
  });

  test('tags win over KSampler discovery', async () => {
    const template = await loadWorkflowTemplate(WORKFLOWS_DIR, 'txt2img');
    template['3']!._meta = { title: '$seed $steps' };
    template['6']!._meta = { title: '$prompt' };
    template['9']!._meta = { title: '$output' };
    const { workflow, roles } = applyGenerationInput(template, contractInput({ seed: 5, negativePrompt: 'ugly', width: 640 }));
    expect(roles.tagged).toBe(true);
    expect(workflow['3']!.inputs.seed).toBe(5);
    expect(workflow['6']!.inputs.text).toBe('a girl with silver hair under cherry blossoms at night');
    // Untagged roles are left as the template has them.
    expect(workflow['7']!.inputs.text).toBe(template['7']!.inputs.text);
    expect(workflow['5']!.inputs.width).toBe(template['5']!.inputs.width);
    expect(roles.samplerId).toBe('3');
  });

  test('the built-in model-free template takes the prompt and seed as data on unconnected primitives', async () => {
    const template = await loadWorkflowTemplate(WORKFLOWS_DIR, 'conformance-still');
    const { workflow, roles } = applyGenerationInput(template, contractInput({ prompt: '}\n{"x":1}', seed: 7, count: 3, width: 96, height: 64 }));
    expect(workflow['5']!.inputs.value).toBe('}\n{"x":1}');
    expect(workflow['6']!.inputs.value).toBe(7);
    expect(workflow['1']!.inputs).toMatchObject({ width: 96, height: 64, batch_size: 3 });
    expect(roles.saveIds).toEqual(['4']);
  });

  test('a bad tag, an input the node lacks or a connected input, and tags without $prompt are operator errors', () => {
    const withTitle = (id: string, title: string): ApiWorkflow => {
      const copy = structuredClone(FLUX);
      copy[id]!._meta = { title };
      return copy;
    };
    expect(invalid(() => applyGenerationInput(withTitle('25', '$sed'), contractInput())).cause).toMatchObject({ message: expect.stringContaining('unknown role tag $sed') });
    expect(invalid(() => applyGenerationInput(withTitle('25', '$seed:seed'), contractInput())).cause).toMatchObject({ message: expect.stringContaining('no unconnected input seed') });
    expect(invalid(() => applyGenerationInput(withTitle('17', '$steps:model'), contractInput())).cause).toMatchObject({ message: expect.stringContaining('no unconnected input model') });
    expect(invalid(() => applyGenerationInput(withTitle('6', 'Prompt'), contractInput())).cause).toMatchObject({ message: expect.stringContaining('no node is tagged $prompt') });
  });

  test('a graph with neither tags nor a KSampler fails as before', () => {
    const untagged = structuredClone(FLUX);
    for (const node of Object.values(untagged)) delete node._meta;
    expect(invalid(() => applyGenerationInput(untagged, contractInput())).cause).toMatchObject({ message: expect.stringContaining('exactly one sampler') });
  });
});

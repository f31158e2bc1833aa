import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { GenerationError } from '../../src/core/errors.js';
import { parseEndpoint } from '../../src/worker/backends/comfyui/client.js';
import { executionError, rejectionError } from '../../src/worker/backends/comfyui/failures.js';
import { sanitizeBackendText as sanitizeForUser } from '../../src/worker/backend-text.js';
import { collectOutputFiles, historyEntrySchema, kindOf, mimeOf } from '../../src/worker/backends/comfyui/outputs.js';
import { parseBinaryFrame } from '../../src/worker/backends/comfyui/socket.js';
import { applyGenerationInput, imagesTaken, loadWorkflowTemplate, type ApiWorkflow } from '../../src/worker/backends/comfyui/workflow.js';
import { contractInput } from '../contract/generator-contract.js';
import { WORKFLOWS_DIR } from '../fakes/comfyui/harness.js';

describe('workflow templates', () => {
  test('sets prompt, negative, seed, steps, size, batch and prefix by role, leaving the template untouched', async () => {
    const template = await loadWorkflowTemplate(WORKFLOWS_DIR, 'txt2img');
    const before = structuredClone(template);
    const { workflow, roles } = applyGenerationInput(template, contractInput({ seed: 99, steps: 12, count: 4, width: 640, height: 384 }));
    expect(template).toEqual(before);
    expect(roles).toMatchObject({ samplerId: '3', positiveId: '6', negativeId: '7', latentId: '5', saveIds: ['9'], loraIds: [] });
    expect(workflow['3']!.inputs).toMatchObject({ seed: 99, steps: 12, model: ['4', 0] });
    expect(workflow['6']!.inputs.text).toBe('a girl with silver hair under cherry blossoms at night');
    expect(workflow['7']!.inputs.text).toBe('blurry');
    expect(workflow['5']!.inputs).toEqual({ width: 640, height: 384, batch_size: 4 });
    expect(workflow['9']!.inputs.filename_prefix).toBe('anime-production_00000000-0000-4000-8000-000000000001');
  });

  test('any prompt text survives as data, byte for byte, through JSON', async () => {
    const template = await loadWorkflowTemplate(WORKFLOWS_DIR, 'txt2img');
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.string({ maxLength: 50 }), (prompt, negativePrompt) => {
        const { workflow } = applyGenerationInput(template, contractInput({ prompt, negativePrompt }));
        const wire = JSON.parse(JSON.stringify(workflow)) as ApiWorkflow;
        expect(wire['6']!.inputs.text).toBe(prompt);
        expect(wire['7']!.inputs.text).toBe(negativePrompt);
        expect(Object.keys(wire).sort()).toEqual(Object.keys(template).sort());
      }),
    );
  });

  test('video templates keep their frame count and take the size', async () => {
    const template = await loadWorkflowTemplate(WORKFLOWS_DIR, 'video-frames');
    const { workflow } = applyGenerationInput(template, contractInput({ kind: 'video', width: 320, height: 240, count: 3 }));
    expect(workflow['5']!.inputs).toEqual({ width: 320, height: 240, batch_size: 16 });
    expect(workflow['9']!.class_type).toBe('SaveAnimatedWEBP');
  });

  test('the Wan video template takes prompt, negative, seed, steps, size, model and, when a job names one, its frame count by tags', async () => {
    const template = await loadWorkflowTemplate(WORKFLOWS_DIR, 'video');
    const input = contractInput({ kind: 'video', width: 480, height: 320, count: 2, seed: 9, steps: 12, prompt: 'rain', negativePrompt: 'blur' });
    const { workflow, roles } = applyGenerationInput(template, input);
    expect(roles.tagged).toBe(true);
    expect(workflow['40']!.inputs).toEqual({ width: 480, height: 320, length: 33, batch_size: 1 });
    expect(workflow['3']!.inputs).toMatchObject({ seed: 9, steps: 12 });
    expect([workflow['6']!.inputs.text, workflow['7']!.inputs.text]).toEqual(['rain', 'blur']);
    expect(roles.targets.model).toEqual([{ nodeId: '37', input: 'unet_name' }]);
    expect(roles.saveIds).toEqual(['50']);
    expect(applyGenerationInput(template, { ...input, frames: 17 }).workflow['40']!.inputs.length).toBe(17);
  });

  test('LoRAs are chained after the checkpoint and every MODEL/CLIP consumer is rewired to the chain end', async () => {
    const template = await loadWorkflowTemplate(WORKFLOWS_DIR, 'txt2img');
    const loras = [
      { name: 'anime-lineart.safetensors', weight: 0.7 },
      { name: 'styles/watercolor.safetensors', weight: -0.3 },
    ];
    const { workflow, roles } = applyGenerationInput(template, contractInput({ loras }));
    expect(roles.loraIds).toEqual(['10', '11']);
    expect(workflow['10']).toMatchObject({ class_type: 'LoraLoader', inputs: { model: ['4', 0], clip: ['4', 1], lora_name: loras[0]!.name, strength_model: 0.7, strength_clip: 0.7 } });
    expect(workflow['11']!.inputs).toMatchObject({ model: ['10', 0], clip: ['10', 1], lora_name: loras[1]!.name, strength_model: -0.3 });
    expect(workflow['3']!.inputs.model).toEqual(['11', 0]);
    expect(workflow['6']!.inputs.clip).toEqual(['11', 1]);
    expect(workflow['7']!.inputs.clip).toEqual(['11', 1]);
    // The VAE is not a LoRA's business.
    expect(workflow['8']!.inputs.vae).toEqual(['4', 2]);
  });

  test.each(['../secrets.safetensors', '/etc/passwd', 'a/../../b', 'C:\\models\\x', ''])('refuses the LoRA name %j', async (name) => {
    const template = await loadWorkflowTemplate(WORKFLOWS_DIR, 'txt2img');
    expect(() => applyGenerationInput(template, contractInput({ loras: [{ name, weight: 1 }] }))).toThrow(GenerationError);
  });

  test('a template without a usable sampler or encoder is an operator error that retrying cannot fix', async () => {
    const template = await loadWorkflowTemplate(WORKFLOWS_DIR, 'txt2img');
    const broken = structuredClone(template);
    broken['3']!.inputs.negative = ['6', 0];
    expect(() => applyGenerationInput(broken, contractInput())).toThrow(expect.objectContaining({ code: 'workflow_invalid', retry: 'never' }));
    const noSampler = structuredClone(template);
    delete noSampler['3'];
    expect(() => applyGenerationInput(noSampler, contractInput())).toThrow(expect.objectContaining({ code: 'workflow_invalid' }));
    await expect(loadWorkflowTemplate(WORKFLOWS_DIR, '../package')).rejects.toMatchObject({ code: 'workflow_invalid' });
    await expect(loadWorkflowTemplate(WORKFLOWS_DIR, 'no-such-template')).rejects.toMatchObject({ code: 'workflow_invalid' });
  });
});

describe('history outputs', () => {
  const entry = historyEntrySchema.parse({
    outputs: {
      '12': { gifs: [{ filename: 'clip_00001.mp4', subfolder: 'v', type: 'output', format: 'video/h264-mp4', fullpath: '/home/x/clip.mp4' }] },
      '9': { images: [{ filename: 'a_00001_.webp', subfolder: '', type: 'output' }], animated: [true] },
      '10': { images: [{ filename: 'ComfyUI_temp_1.png', subfolder: '', type: 'temp' }] },
      '11': { images: [{ filename: 'b_00001_.png', subfolder: 'p', type: 'output' }], text: ['not a file'] },
    },
    status: { status_str: 'success', completed: true, messages: [] },
  });

  test('scans images, gifs and animated flags, preferring saved files over temp previews', () => {
    const refs = collectOutputFiles(entry);
    expect(refs.map((r) => [r.nodeId, r.filename, kindOf(r), mimeOf(r)])).toEqual([
      ['9', 'a_00001_.webp', 'video', 'image/webp'],
      ['11', 'b_00001_.png', 'image', 'image/png'],
      ['12', 'clip_00001.mp4', 'video', 'video/mp4'],
    ]);
  });

  test('falls back to temp files when nothing was saved', () => {
    const refs = collectOutputFiles(historyEntrySchema.parse({ outputs: { '10': entry.outputs['10'] } }));
    expect(refs.map((r) => r.type)).toEqual(['temp']);
  });
});

describe('failures: codes and details for users, the backend text for admins', () => {
  test('sanitizeForUser drops paths, URLs with credentials, tracebacks and length', () => {
    const text = 'Error loading /opt/ComfyUI/models/x.safetensors from http://user:pw@host:8188/view\nTraceback (most recent call last):';
    const clean = sanitizeForUser(text);
    expect(clean).toBe('Error loading [path] from [url]');
    expect(sanitizeForUser('C:\\ComfyUI\\models\\model.ckpt missing')).toBe('[path] missing');
    expect(sanitizeForUser('x'.repeat(500)).length).toBeLessThanOrEqual(180);
  });

  test('a rejection names node, input and problem; a prompt-level error uses its message', () => {
    const error = rejectionError(400, {
      error: { type: 'prompt_outputs_failed_validation', message: 'Prompt outputs failed validation', details: '', extra_info: {} },
      node_errors: { '4': { errors: [{ type: 'value_not_in_list', message: 'Value not in list', details: "ckpt_name: 'x.safetensors' not in ['a.safetensors']", extra_info: { input_name: 'ckpt_name' } }], dependent_outputs: ['9'], class_type: 'CheckpointLoaderSimple' } },
    });
    expect(error).toMatchObject({ code: 'backend_rejected', retry: 'never' });
    expect(error.details).toEqual({ node: '4', nodeType: 'CheckpointLoaderSimple', input: 'ckpt_name', problem: 'value_not_in_list' });
    expect(error.adminText).toBe("CheckpointLoaderSimple (node 4) input 'ckpt_name': Value not in list");
    const top = rejectionError(400, { error: { type: 'invalid_prompt', message: 'Cannot execute because node Foo does not exist.', details: "Node ID '#3'", extra_info: {} }, node_errors: {} });
    expect(top.details).toEqual({ node: '3', nodeType: 'Foo', problem: 'missing_node_type' });
    expect(top.adminText).toBe("Cannot execute because node Foo does not exist. (Node ID '#3')");
  });

  test('an execution error keeps the exception short and the traceback out', () => {
    const error = executionError({
      node_id: '3',
      node_type: 'KSampler',
      exception_type: 'torch.OutOfMemoryError',
      exception_message: 'CUDA out of memory in /usr/lib/python3/site-packages/torch/x.py',
      traceback: ['  File "/home/comfy/ComfyUI/execution.py", line 1'],
    });
    expect(error.details).toEqual({ node: '3', nodeType: 'KSampler' });
    expect(error.adminText).toBe('OutOfMemoryError: CUDA out of memory in [path]');
    expect(error.message).not.toContain('/usr/lib');
    expect(error.retry).toBe('never');
  });
});

describe('wire details', () => {
  test('binary frames: type 1, type 4 with metadata, type 3 text, and junk', () => {
    const image = Buffer.from([0xff, 0xd8, 0xff]);
    const head = (a: number, b: number) => {
      const buffer = Buffer.alloc(8);
      buffer.writeUInt32BE(a, 0);
      buffer.writeUInt32BE(b, 4);
      return buffer;
    };
    expect(parseBinaryFrame(Buffer.concat([head(1, 2), image]))).toEqual({ kind: 'preview', preview: { mime: 'image/png', data: image } });
    const meta = Buffer.from(JSON.stringify({ node_id: '3', prompt_id: 'p', image_type: 'image/jpeg' }));
    expect(parseBinaryFrame(Buffer.concat([head(4, meta.length), meta, image]))).toEqual({ kind: 'preview', preview: { mime: 'image/jpeg', data: image, nodeId: '3', promptId: 'p' } });
    expect(parseBinaryFrame(Buffer.concat([head(3, 1), Buffer.from('7hello')]))).toEqual({ kind: 'text', nodeId: '7', text: 'hello' });
    expect(parseBinaryFrame(Buffer.concat([head(4, 999), image]))).toEqual({ kind: 'unknown', eventType: 4 });
    expect(parseBinaryFrame(Buffer.from([0, 0]))).toEqual({ kind: 'unknown', eventType: -1 });
  });

  test('credentials in the base URL become a Basic header and leave the URL', () => {
    const endpoint = parseEndpoint('https://ops:s3cret@gpu.example:8443/comfy');
    expect(endpoint.base.href).toBe('https://gpu.example:8443/comfy/');
    expect(endpoint.headers.authorization).toBe(`Basic ${Buffer.from('ops:s3cret').toString('base64')}`);
    expect(new URL('prompt', endpoint.base).href).toBe('https://gpu.example:8443/comfy/prompt');
  });
});

describe('reference pictures in templates ($image, $denoise)', () => {
  const picture = (ext: string) => ({ data: Buffer.from('x'), mime: 'image/png', ext, characterId: null });

  test('img2img: the picture goes to the $image node by its upload name, $denoise = 1 - strength, size and count set', async () => {
    const template = await loadWorkflowTemplate(WORKFLOWS_DIR, 'img2img');
    const { workflow, roles } = applyGenerationInput(template, contractInput({ images: [picture('png')], strength: 0.65, width: 512, height: 768, count: 2 }));
    expect(workflow['10']!.inputs.image).toBe('anime-production_00000000-0000-4000-8000-000000000001_0.png');
    expect(workflow['3']!.inputs.denoise).toBe(0.35);
    expect(workflow['11']!.inputs).toMatchObject({ width: 512, height: 768 });
    expect(workflow['13']!.inputs.amount).toBe(2);
    expect(roles.targets.image).toEqual([{ nodeId: '10', input: 'image' }]);
  });

  test('several $image slots take the pictures in order; the last fills any slots beyond; pictures beyond the slots are not sent', async () => {
    const template = await loadWorkflowTemplate(WORKFLOWS_DIR, 'img2img');
    const twoSlots: ApiWorkflow = { ...structuredClone(template), '20': { class_type: 'LoadImage', inputs: { image: 'x.png' }, _meta: { title: '$image' } } };
    const one = applyGenerationInput(twoSlots, contractInput({ images: [picture('jpg')] }));
    expect([one.workflow['10']!.inputs.image, one.workflow['20']!.inputs.image]).toEqual(['anime-production_00000000-0000-4000-8000-000000000001_0.jpg', 'anime-production_00000000-0000-4000-8000-000000000001_0.jpg']);
    const three = applyGenerationInput(twoSlots, contractInput({ images: [picture('png'), picture('webp'), picture('png')] }));
    expect([three.workflow['10']!.inputs.image, three.workflow['20']!.inputs.image]).toEqual(['anime-production_00000000-0000-4000-8000-000000000001_0.png', 'anime-production_00000000-0000-4000-8000-000000000001_1.webp']);
    expect(imagesTaken(three.roles, contractInput({ images: [picture('png'), picture('webp'), picture('png')] }))).toBe(2);
  });

  test('upscale: a model-free graph, the picture into LoadImage, lanczos 2x, no prompt needed; other jobs still need $prompt', async () => {
    const template = await loadWorkflowTemplate(WORKFLOWS_DIR, 'upscale');
    const { workflow, roles } = applyGenerationInput(template, contractInput({ images: [picture('png')], operation: 'upscale', width: 1024, height: 1024, count: 1 }));
    expect(workflow['1']!.inputs.image).toBe('anime-production_00000000-0000-4000-8000-000000000001_0.png');
    expect(workflow['2']!.inputs).toMatchObject({ upscale_method: 'lanczos', scale_by: 2 });
    expect(roles.saveIds).toEqual(['3']);
    expect(Object.values(workflow).map((n) => n.class_type).sort()).toEqual(['ImageScaleBy', 'LoadImage', 'SaveImage']);
    expect(() => applyGenerationInput(template, contractInput({ images: [picture('png')] }))).toThrow(GenerationError);
  });

  test('a job with pictures and a template without $image fails as workflow_invalid (never silently ignored)', async () => {
    const template = await loadWorkflowTemplate(WORKFLOWS_DIR, 'txt2img');
    let thrown: unknown;
    try {
      applyGenerationInput(template, contractInput({ images: [picture('png')] }));
    } catch (error) {
      thrown = error;
    }
    expect(thrown instanceof GenerationError && [thrown.code, thrown.retry]).toEqual(['workflow_invalid', 'never']);
  });
});

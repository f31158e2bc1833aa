import { describe, expect, test } from 'vitest';
import { pickModel } from '../../src/core/models.js';
import { offeredModels, parseModelOffers } from '../../src/shared/model-offers.js';
import { FAILURE_WORDS as WEB_FAILURE_WORDS } from '../../src/web/http-errors.js';
import { checkModel, checkTemplate, inputChoices, type ObjectInfo } from '../../src/worker/backends/comfyui/object-info-check.js';
import type { ApiWorkflow } from '../../src/worker/backends/comfyui/workflow.js';

/** object_info as ComfyUI 0.3.64 describes these nodes: choices as [[names], {...}] or ["COMBO", {options}]. */
const INFO: ObjectInfo = {
  EmptyImage: { input: { required: { width: ['INT', {}], height: ['INT', {}], batch_size: ['INT', {}], color: ['INT', {}] } } },
  PrimitiveString: { input: { required: { value: ['STRING', {}] } } },
  SaveImage: { input: { required: { images: ['IMAGE'], filename_prefix: ['STRING', {}] } } },
  CheckpointLoaderSimple: { input: { required: { ckpt_name: [['animagine-xl-3.1.safetensors', 'sd15.safetensors'], { tooltip: 'x' }] } } },
  ImageScale: { input: { required: { image: ['IMAGE'], upscale_method: ['COMBO', { options: ['nearest-exact', 'bilinear'] }], width: ['INT', {}], height: ['INT', {}], crop: [['disabled', 'center']] } } },
};

function template(extra: ApiWorkflow = {}): ApiWorkflow {
  return {
    '1': { class_type: 'EmptyImage', inputs: { width: 512, height: 512, batch_size: 1, color: 0 }, _meta: { title: '$width $height $count' } },
    '2': { class_type: 'PrimitiveString', inputs: { value: '' }, _meta: { title: '$prompt:value' } },
    '3': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'x' }, _meta: { title: '$output' } },
    '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'animagine-xl-3.1.safetensors' }, _meta: { title: '$model' } },
    ...extra,
  };
}

describe('templates checked against object_info', () => {
  test('a video template keeps its own model, so its model file is checked too (an image template leaves it to the model check)', () => {
    const workflow = template();
    expect(checkTemplate('still', workflow, INFO, 'image').runs).toBe(true);
    workflow['4']!.inputs.ckpt_name = 'wan2.1_t2v_1.3B_fp16.safetensors';
    expect(checkTemplate('still', workflow, INFO, 'image').runs).toBe(true);
    expect(checkTemplate('clip', workflow, INFO, 'video').problems).toEqual([
      'template clip: node 4 (CheckpointLoaderSimple) ckpt_name "wan2.1_t2v_1.3B_fp16.safetensors" is not on the image server (it has: animagine-xl-3.1.safetensors, sd15.safetensors)',
    ]);
  });

  test('a template the server can run has no problems', () => {
    expect(checkTemplate('still', template(), INFO, 'image')).toEqual({ name: 'still', runs: true, problems: [] });
  });

  test('a node type the server lacks is one problem naming the node', () => {
    const check = checkTemplate('still', template({ '5': { class_type: 'UpscaleWithMagic', inputs: {} } }), INFO, 'image');
    expect(check.runs).toBe(false);
    expect(check.problems).toEqual([expect.stringMatching(/^template still: node 5 is a UpscaleWithMagic, which the image server does not have/)]);
  });

  test('a fixed choice the server does not offer is one problem, in either choice shape', () => {
    const check = checkTemplate('still', template({ '5': { class_type: 'ImageScale', inputs: { image: ['1', 0], upscale_method: 'lanczos9', width: 8, height: 8, crop: 'middle' } } }), INFO, 'image');
    expect(check.problems).toHaveLength(2);
    expect(check.problems[0]).toContain('upscale_method "lanczos9" is not on the image server (it has: nearest-exact, bilinear)');
    expect(check.problems[1]).toContain('crop "middle" is not on the image server (it has: disabled, center)');
    expect(inputChoices(INFO, 'EmptyImage', 'width')).toBeNull();
  });

  test('the model slot is not judged as a fixed choice: the model check owns it', () => {
    const check = checkTemplate('still', template({ '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'gone.safetensors' }, _meta: { title: '$model' } } }), INFO, 'image');
    expect(check.runs).toBe(true);
  });

  test('a model is available only when its checkpoint is listed', () => {
    const workflow = template();
    const check = checkTemplate('still', workflow, INFO, 'image');
    const t = { name: 'still', workflow, check };
    expect(checkModel({ id: 'sd15', label: 'SD 1.5', checkpoint: 'sd15.safetensors' }, t, INFO)).toEqual({ id: 'sd15', label: 'SD 1.5', available: true });
    const pony = checkModel({ id: 'pony', label: 'Pony', checkpoint: 'pony.safetensors' }, t, INFO);
    expect(pony.available).toBe(false);
    expect(pony.problem).toBe('model pony: checkpoint "pony.safetensors" is not on the image server (it has: animagine-xl-3.1.safetensors, sd15.safetensors)');
    const broken = checkModel({ id: 'x', label: 'X' }, { name: 'still', workflow, check: { ...check, runs: false } }, INFO);
    expect(broken).toMatchObject({ available: false, problem: 'model x: template still will not run' });
  });
});

describe('COMFYUI_MODELS', () => {
  test('good entries: checkpoint, @template and both; the first is the default', () => {
    const parsed = parseModelOffers('animagine=Animagine XL 3.1:animagine-xl-3.1.safetensors, flux=Flux:@flux-dev, sd=SD 1.5:sd15.safetensors@txt2img');
    expect(parsed.problems).toEqual([]);
    expect(parsed.offers).toEqual([
      { id: 'animagine', label: 'Animagine XL 3.1', checkpoint: 'animagine-xl-3.1.safetensors' },
      { id: 'flux', label: 'Flux', template: 'flux-dev' },
      { id: 'sd', label: 'SD 1.5', checkpoint: 'sd15.safetensors', template: 'txt2img' },
    ]);
  });

  test('bad entries each get one sentence naming the variable', () => {
    const parsed = parseModelOffers('Bad Id=X:a.safetensors,dup=A:a.safetensors,dup=B:b.safetensors,nocolon,up=Up:../../etc/passwd');
    expect(parsed.problems).toHaveLength(4);
    for (const problem of parsed.problems) expect(problem).toMatch(/^COMFYUI_MODELS: /);
    expect(parsed.problems.join('\n')).toMatch(/listed twice/);
  });

  test('the built-in backend offers its one model; ComfyUI without a list offers the template as it is', () => {
    expect(offeredModels(false, 'a=A:a.safetensors', []).map((m) => m.id)).toEqual(['builtin']);
    expect(offeredModels(true, undefined, []).map((m) => m.id)).toEqual(['default']);
  });
});

describe('picking a model for a request', () => {
  const offered = [
    { id: 'animagine', label: 'Animagine XL', available: true },
    { id: 'pony', label: 'Pony XL', available: false },
    { id: 'sd15', label: 'SD 1.5', available: null },
  ];

  test('by id, by display name, or the default', () => {
    expect(pickModel(offered, 'sd15')).toEqual({ ok: true, value: { id: 'sd15', label: 'SD 1.5' } });
    expect(pickModel(offered, '  animagine xl ')).toEqual({ ok: true, value: { id: 'animagine', label: 'Animagine XL' } });
    expect(pickModel(offered, undefined)).toEqual({ ok: true, value: { id: 'animagine', label: 'Animagine XL' } });
  });

  test('an unknown or missing model is refused naming only the usable choices', () => {
    const unknown = pickModel(offered, 'nope');
    expect(unknown).toMatchObject({ ok: false, code: 'invalid_input', field: 'model' });
    const choices = [{ id: 'animagine', label: 'Animagine XL' }, { id: 'sd15', label: 'SD 1.5' }];
    expect(!unknown.ok && unknown.problem).toEqual({ reason: 'model_unknown', field: 'model', name: 'nope', choices });
    expect(!unknown.ok && WEB_FAILURE_WORDS.invalid_input(unknown)).toBe('model: no model named "nope"; choose one of: animagine (Animagine XL), sd15 (SD 1.5)');
    const missing = pickModel(offered, 'pony');
    expect(!missing.ok && missing.problem).toEqual({ reason: 'model_missing', field: 'model', model: 'pony', isDefault: false, choices });
    expect(!missing.ok && WEB_FAILURE_WORDS.invalid_input(missing)).toBe('model: pony is not on the image server right now; choose one of: animagine (Animagine XL), sd15 (SD 1.5)');
    const noDefault = pickModel([{ ...offered[1]! }, { ...offered[0]! }], undefined);
    expect(!noDefault.ok && WEB_FAILURE_WORDS.invalid_input(noDefault)).toMatch(/the default model pony is not on the image server/);
  });
});

import { posix } from 'node:path';
import sharp from 'sharp';
import { renderAnimated, renderMp4, renderPng } from './media.js';

/**
 * The node classes the fake knows, described the way GET /object_info describes them (the
 * validator reads these), plus a tiny implementation of each that produces real files.
 */
export type InputType = string | string[];
export interface InputOptions {
  default?: unknown;
  min?: number;
  max?: number;
  step?: number;
  multiline?: boolean;
}
export interface NodeDef {
  input: { required: Record<string, [InputType, InputOptions?]> };
  output: string[];
  output_name: string[];
  output_node: boolean;
  category: string;
  /** Inputs the node checks itself (VALIDATE_INPUTS): the combo list is not enforced, the check runs instead. */
  selfValidated?: string[];
}

export const CHECKPOINTS = ['animagine-xl-3.1.safetensors', 'v1-5-pruned-emaonly.safetensors'];
export const LORAS = ['anime-lineart.safetensors', 'styles/watercolor.safetensors'];
/** A server with Wan 2.1 text-to-video installed (models/diffusion_models, text_encoders, vae). */
const UNETS = ['wan2.1_t2v_1.3B_fp16.safetensors'];
const TEXT_ENCODERS = ['umt5_xxl_fp8_e4m3fn_scaled.safetensors'];
const VAES = ['wan_2.1_vae.safetensors'];
const SAMPLERS = ['euler', 'euler_ancestral', 'heun', 'dpm_2', 'dpmpp_2m', 'dpmpp_sde', 'lcm', 'uni_pc'];
const SCHEDULERS = ['normal', 'karras', 'exponential', 'sgm_uniform', 'simple', 'ddim_uniform'];
const MAX_RESOLUTION = 16384;

const def = (input: NodeDef['input']['required'], output: string[], category: string, outputNode = false): NodeDef => ({
  input: { required: input },
  output,
  output_name: output,
  output_node: outputNode,
  category,
});

export const NODE_DEFS: Record<string, NodeDef> = {
  CheckpointLoaderSimple: def({ ckpt_name: [CHECKPOINTS] }, ['MODEL', 'CLIP', 'VAE'], 'loaders'),
  LoraLoader: def(
    {
      model: ['MODEL'],
      clip: ['CLIP'],
      lora_name: [LORAS],
      strength_model: ['FLOAT', { default: 1, min: -100, max: 100, step: 0.01 }],
      strength_clip: ['FLOAT', { default: 1, min: -100, max: 100, step: 0.01 }],
    },
    ['MODEL', 'CLIP'],
    'loaders',
  ),
  CLIPTextEncode: def({ text: ['STRING', { multiline: true }], clip: ['CLIP'] }, ['CONDITIONING'], 'conditioning'),
  EmptyLatentImage: def(
    {
      width: ['INT', { default: 512, min: 16, max: MAX_RESOLUTION, step: 8 }],
      height: ['INT', { default: 512, min: 16, max: MAX_RESOLUTION, step: 8 }],
      batch_size: ['INT', { default: 1, min: 1, max: 4096 }],
    },
    ['LATENT'],
    'latent',
  ),
  KSampler: def(
    {
      model: ['MODEL'],
      // ComfyUI's seed max is 2**64-1; as a double that is 2**64.
      seed: ['INT', { default: 0, min: 0, max: 2 ** 64 }],
      steps: ['INT', { default: 20, min: 1, max: 10000 }],
      cfg: ['FLOAT', { default: 8, min: 0, max: 100, step: 0.1 }],
      sampler_name: [SAMPLERS],
      scheduler: [SCHEDULERS],
      positive: ['CONDITIONING'],
      negative: ['CONDITIONING'],
      latent_image: ['LATENT'],
      denoise: ['FLOAT', { default: 1, min: 0, max: 1, step: 0.01 }],
    },
    ['LATENT'],
    'sampling',
  ),
  VAEDecode: def({ samples: ['LATENT'], vae: ['VAE'] }, ['IMAGE'], 'latent'),
  VAEEncode: def({ pixels: ['IMAGE'], vae: ['VAE'] }, ['LATENT'], 'latent'),
  // The list is the input folder's files (filled per request by the server); VALIDATE_INPUTS checks the file exists.
  LoadImage: { ...def({ image: [[]] }, ['IMAGE', 'MASK'], 'image'), selfValidated: ['image'] },
  ImageScale: def(
    {
      image: ['IMAGE'],
      upscale_method: [['nearest-exact', 'bilinear', 'area', 'bicubic', 'lanczos']],
      width: ['INT', { default: 512, min: 0, max: MAX_RESOLUTION, step: 1 }],
      height: ['INT', { default: 512, min: 0, max: MAX_RESOLUTION, step: 1 }],
      crop: [['disabled', 'center']],
    },
    ['IMAGE'],
    'image/upscaling',
  ),
  ImageScaleBy: def(
    { image: ['IMAGE'], upscale_method: [['nearest-exact', 'bilinear', 'area', 'bicubic', 'lanczos']], scale_by: ['FLOAT', { default: 1.0, min: 0.01, max: 8.0, step: 0.01 }] },
    ['IMAGE'],
    'image/upscaling',
  ),
  RepeatLatentBatch: def({ samples: ['LATENT'], amount: ['INT', { default: 1, min: 1, max: 64 }] }, ['LATENT'], 'latent/batch'),
  SaveImage: def({ images: ['IMAGE'], filename_prefix: ['STRING', { default: 'ComfyUI' }] }, [], 'image', true),
  PreviewImage: def({ images: ['IMAGE'] }, [], 'image', true),
  SaveAnimatedWEBP: def(
    {
      images: ['IMAGE'],
      filename_prefix: ['STRING', { default: 'ComfyUI' }],
      fps: ['FLOAT', { default: 6, min: 0.01, max: 1000, step: 0.01 }],
      lossless: ['BOOLEAN', { default: true }],
      quality: ['INT', { default: 80, min: 0, max: 100 }],
      method: [['default', 'fastest', 'slowest']],
    },
    [],
    'image/animation',
    true,
  ),
  // Core video nodes (comfy_extras/nodes_hunyuan.py, nodes_model_advanced.py, nodes_video.py), as a Wan 2.1 graph uses them.
  UNETLoader: def({ unet_name: [UNETS], weight_dtype: [['default', 'fp8_e4m3fn', 'fp8_e4m3fn_fast', 'fp8_e5m2']] }, ['MODEL'], 'advanced/loaders'),
  CLIPLoader: def({ clip_name: [TEXT_ENCODERS], type: [['stable_diffusion', 'sd3', 'flux', 'wan', 'hunyuan_video']], device: [['default', 'cpu']] }, ['CLIP'], 'advanced/loaders'),
  VAELoader: def({ vae_name: [VAES] }, ['VAE'], 'loaders'),
  ModelSamplingSD3: def({ model: ['MODEL'], shift: ['FLOAT', { default: 3, min: 0, max: 100, step: 0.01 }] }, ['MODEL'], 'advanced/model'),
  EmptyHunyuanLatentVideo: def(
    {
      width: ['INT', { default: 848, min: 16, max: MAX_RESOLUTION, step: 16 }],
      height: ['INT', { default: 480, min: 16, max: MAX_RESOLUTION, step: 16 }],
      length: ['INT', { default: 25, min: 1, max: MAX_RESOLUTION, step: 4 }],
      batch_size: ['INT', { default: 1, min: 1, max: 4096 }],
    },
    ['LATENT'],
    'latent/video',
  ),
  CreateVideo: def({ images: ['IMAGE'], fps: ['FLOAT', { default: 30, min: 1, max: 120, step: 1 }] }, ['VIDEO'], 'image/video'),
  SaveVideo: def(
    { video: ['VIDEO'], filename_prefix: ['STRING', { default: 'video/ComfyUI' }], format: [['auto', 'mp4']], codec: [['auto', 'h264']] },
    [],
    'image/video',
    true,
  ),
  // VideoHelperSuite (a custom node pack), present because real servers often have it.
  VHS_VideoCombine: def(
    {
      images: ['IMAGE'],
      frame_rate: ['FLOAT', { default: 8, min: 1, step: 1 }],
      loop_count: ['INT', { default: 0, min: 0, max: 100 }],
      filename_prefix: ['STRING', { default: 'AnimateDiff' }],
      format: [['image/gif', 'image/webp', 'video/h264-mp4']],
      pingpong: ['BOOLEAN', { default: false }],
      save_output: ['BOOLEAN', { default: true }],
    },
    ['VHS_FILENAMES'],
    'Video Helper Suite 🎥🅥🅗🅢',
    true,
  ),
};

/**
 * What one server has installed: the fake's node set without the classes it lacks, and its own
 * checkpoint list (a farm's boxes differ in both, and /object_info and validation both say so).
 */
export function installedNodes(options: { checkpoints?: readonly string[]; withoutNodes?: readonly string[] }): Record<string, NodeDef> {
  const defs: Record<string, NodeDef> = Object.fromEntries(Object.entries(NODE_DEFS).filter(([name]) => !options.withoutNodes?.includes(name)));
  if (options.checkpoints && defs.CheckpointLoaderSimple) {
    defs.CheckpointLoaderSimple = { ...defs.CheckpointLoaderSimple, input: { required: { ckpt_name: [[...options.checkpoints]] } } };
  }
  return defs;
}

export interface Latent { width: number; height: number; batch: number; seed: number }
export interface Images { width: number; height: number; count: number; seed: number; black?: boolean }

/** What a node implementation may ask of the server while it runs. */
export interface NodeContext {
  /** One sampling step done: sends progress, waits on the test's gate or delay, may throw if interrupted. */
  step(value: number, max: number, seed: number): Promise<void>;
  /** Whether the VAE decodes this seed to black frames (FakeComfyUi script.blackFor). */
  decodesBlack(seed: number): boolean;
  save(type: 'output' | 'temp', prefix: string, extension: string, data: Buffer, trailingUnderscore?: boolean): { filename: string; subfolder: string; type: string };
  /** A file of the input folder (LoadImage), or undefined. */
  input(name: string): Buffer | undefined;
}

export interface NodeResult {
  outputs: unknown[];
  ui?: Record<string, unknown>;
}

type Impl = (inputs: Record<string, unknown>, context: NodeContext) => Promise<NodeResult>;

const num = (value: unknown): number => Number(value);

async function saveFrames(images: Images, prefix: string, type: 'output' | 'temp', context: NodeContext): Promise<NodeResult> {
  const files = [];
  for (let i = 0; i < images.count; i++) {
    files.push(context.save(type, prefix, 'png', await renderPng(images.width, images.height, images.seed, i, images.black)));
  }
  return { outputs: [], ui: { images: files } };
}

export interface Video { images: Images; fps: number }

export const NODE_IMPLS: Record<string, Impl> = {
  UNETLoader: async (inputs) => ({ outputs: [{ model: inputs.unet_name, loras: [] }] }),
  CLIPLoader: async (inputs) => ({ outputs: [{ clip: inputs.clip_name }] }),
  VAELoader: async (inputs) => ({ outputs: [{ vae: inputs.vae_name }] }),
  ModelSamplingSD3: async (inputs) => ({ outputs: [inputs.model] }),
  // One decoded frame per `length` (the real VAE gives ((length - 1) // 4) * 4 + 1; the same for the lengths templates use).
  EmptyHunyuanLatentVideo: async (inputs) => ({
    outputs: [{ width: num(inputs.width), height: num(inputs.height), batch: num(inputs.length), seed: 0 } satisfies Latent],
  }),
  CreateVideo: async (inputs) => ({ outputs: [{ images: inputs.images as Images, fps: num(inputs.fps) } satisfies Video] }),
  // SaveVideo writes H.264 MP4 and reports it as ui.PreviewVideo: `images` with `animated: [true]`.
  SaveVideo: async (inputs, context) => {
    const { images, fps } = inputs.video as Video;
    const data = await renderMp4(images.width, images.height, images.count, images.seed, fps, { black: images.black });
    const file = context.save('output', String(inputs.filename_prefix), 'mp4', data);
    return { outputs: [], ui: { images: [file], animated: [true] } };
  },
  CheckpointLoaderSimple: async (inputs) => ({ outputs: [{ model: inputs.ckpt_name, loras: [] }, { clip: inputs.ckpt_name }, { vae: inputs.ckpt_name }] }),
  LoraLoader: async (inputs) => ({ outputs: [{ ...(inputs.model as object), lora: inputs.lora_name }, inputs.clip] }),
  CLIPTextEncode: async (inputs) => ({ outputs: [{ text: String(inputs.text) }] }),
  EmptyLatentImage: async (inputs) => ({
    outputs: [{ width: num(inputs.width), height: num(inputs.height), batch: num(inputs.batch_size), seed: 0 } satisfies Latent],
  }),
  KSampler: async (inputs, context) => {
    const latent = inputs.latent_image as Latent;
    const steps = num(inputs.steps);
    const seed = num(inputs.seed);
    for (let value = 1; value <= steps; value++) await context.step(value, steps, seed);
    return { outputs: [{ ...latent, seed } satisfies Latent] };
  },
  VAEDecode: async (inputs, context) => {
    const latent = inputs.samples as Latent;
    // The VAE works on 8x8 latent cells, so sizes round down to a multiple of 8.
    const images: Images = {
      width: Math.floor(latent.width / 8) * 8,
      height: Math.floor(latent.height / 8) * 8,
      count: latent.batch,
      seed: latent.seed,
      ...(context.decodesBlack(latent.seed) ? { black: true } : {}),
    };
    return { outputs: [images] };
  },
  LoadImage: async (inputs, context) => {
    const data = context.input(String(inputs.image));
    if (!data) throw Object.assign(new Error(`[Errno 2] No such file or directory: '${String(inputs.image)}'`), { pythonType: 'FileNotFoundError' });
    const meta = await sharp(data).metadata();
    const images: Images = { width: meta.width ?? 0, height: meta.height ?? 0, count: 1, seed: 0 };
    return { outputs: [images, { ...images }] };
  },
  ImageScale: async (inputs) => ({ outputs: [{ ...(inputs.image as Images), width: num(inputs.width), height: num(inputs.height) } satisfies Images] }),
  // nodes.py ImageScaleBy: round(side * scale_by).
  ImageScaleBy: async (inputs) => {
    const images = inputs.image as Images;
    return { outputs: [{ ...images, width: Math.round(images.width * num(inputs.scale_by)), height: Math.round(images.height * num(inputs.scale_by)) } satisfies Images] };
  },
  VAEEncode: async (inputs) => {
    const images = inputs.pixels as Images;
    return { outputs: [{ width: images.width, height: images.height, batch: images.count, seed: 0 } satisfies Latent] };
  },
  RepeatLatentBatch: async (inputs) => {
    const latent = inputs.samples as Latent;
    return { outputs: [{ ...latent, batch: latent.batch * num(inputs.amount) } satisfies Latent] };
  },
  SaveImage: async (inputs, context) => saveFrames(inputs.images as Images, String(inputs.filename_prefix), 'output', context),
  PreviewImage: async (inputs, context) => saveFrames(inputs.images as Images, 'ComfyUI_temp_fake', 'temp', context),
  SaveAnimatedWEBP: async (inputs, context) => {
    const images = inputs.images as Images;
    const data = await renderAnimated(images.width, images.height, images.count, images.seed, 'webp', num(inputs.fps), images.black);
    const file = context.save('output', String(inputs.filename_prefix), 'webp', data);
    return { outputs: [], ui: { images: [file], animated: [true] } };
  },
  VHS_VideoCombine: async (inputs, context) => {
    const images = inputs.images as Images;
    if (inputs.format !== 'image/gif') throw Object.assign(new Error('ffmpeg is required for video outputs and could not be found.'), { pythonType: 'Exception' });
    const data = await renderAnimated(images.width, images.height, images.count, images.seed, 'gif', num(inputs.frame_rate), images.black);
    const type = inputs.save_output === false ? 'temp' : 'output';
    const file = context.save(type, String(inputs.filename_prefix), 'gif', data, false);
    const fullpath = posix.join('/home/comfy/ComfyUI', type, file.subfolder, file.filename);
    const entry = { ...file, format: 'image/gif', frame_rate: num(inputs.frame_rate), workflow: file.filename.replace(/\.gif$/, '.png'), fullpath };
    return { outputs: [[true, [fullpath]]], ui: { gifs: [entry] } };
  },
};

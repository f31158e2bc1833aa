import { z } from 'zod';

/**
 * Reading a finished prompt's /history entry. Output nodes report files in a "ui dict" whose keys
 * vary by node: core savers use `images` (with `animated` flags for animated WEBP/PNG and videos),
 * VideoHelperSuite uses `gifs`, audio nodes `audio`. We scan every array for file references.
 */
export interface OutputFileRef {
  nodeId: string;
  filename: string;
  subfolder: string;
  type: string;
  /** Known from the ui dict (`animated: [true]`, or a `gifs` entry), else guessed from the extension. */
  animated: boolean;
  /** VideoHelperSuite's declared format, e.g. 'video/h264-mp4' or 'image/gif'. */
  format: string | undefined;
}

const fileSchema = z.object({
  filename: z.string().min(1),
  subfolder: z.string().default(''),
  type: z.string().default('output'),
  format: z.string().optional(),
});

const messageSchema = z.tuple([z.string(), z.record(z.string(), z.unknown())]);

export const historyEntrySchema = z.object({
  /** [number, prompt_id, graph, extra_data, outputs_to_execute]; extra_data carries our job id and attempt. */
  prompt: z.array(z.unknown()).optional(),
  outputs: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
  status: z
    .object({
      status_str: z.string().optional(),
      completed: z.boolean().optional(),
      messages: z.array(z.unknown()).default([]),
    })
    .nullable()
    .optional(),
});
export type HistoryEntry = z.infer<typeof historyEntrySchema>;

const VIDEO_EXTENSIONS = new Set(['mp4', 'webm', 'mov', 'mkv', 'gif']);
const MIME_BY_EXTENSION: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  mp4: 'video/mp4',
  webm: 'video/webm',
  mov: 'video/quicktime',
  mkv: 'video/x-matroska',
  flac: 'audio/flac',
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
};

function extensionOf(filename: string): string {
  const dot = filename.lastIndexOf('.');
  return dot < 0 ? '' : filename.slice(dot + 1).toLowerCase();
}

export function mimeOf(ref: OutputFileRef): string {
  const byExtension = MIME_BY_EXTENSION[extensionOf(ref.filename)];
  if (byExtension) return byExtension;
  // VHS formats look like 'video/h264-mp4'; the container is the part after the dash.
  if (ref.format?.startsWith('video/')) return `video/${ref.format.split('-').at(-1) ?? 'mp4'}`;
  return ref.format ?? 'application/octet-stream';
}

export function kindOf(ref: OutputFileRef): 'image' | 'video' | 'other' {
  const mime = mimeOf(ref);
  if (mime.startsWith('video/') || ref.animated) return 'video';
  if (mime.startsWith('image/')) return 'image';
  return 'other';
}

/** Every file reference in the entry, in node order; saved files only unless there are none. */
export function collectOutputFiles(entry: HistoryEntry): OutputFileRef[] {
  const refs: OutputFileRef[] = [];
  const nodeIds = Object.keys(entry.outputs).sort((a, b) => Number(a) - Number(b) || a.localeCompare(b));
  for (const nodeId of nodeIds) {
    const ui = entry.outputs[nodeId]!;
    const animatedFlags = Array.isArray(ui.animated) ? ui.animated : [];
    for (const [key, value] of Object.entries(ui)) {
      if (!Array.isArray(value)) continue;
      value.forEach((item, index) => {
        const file = fileSchema.safeParse(item);
        if (!file.success) return;
        const flag = animatedFlags[index] ?? animatedFlags[0];
        refs.push({
          nodeId,
          filename: file.data.filename,
          subfolder: file.data.subfolder,
          type: file.data.type,
          animated: flag === true || key === 'gifs' || VIDEO_EXTENSIONS.has(extensionOf(file.data.filename)),
          format: file.data.format,
        });
      });
    }
  }
  // PreviewImage writes 'temp' files next to the saved ones; they are duplicates, not results.
  const saved = refs.filter((ref) => ref.type === 'output');
  return saved.length > 0 ? saved : refs;
}

/** The [event, data] pairs ComfyUI keeps in history status, for a failure seen only by polling. */
export function statusMessages(entry: HistoryEntry): Array<[string, Record<string, unknown>]> {
  const out: Array<[string, Record<string, unknown>]> = [];
  for (const message of entry.status?.messages ?? []) {
    const parsed = messageSchema.safeParse(message);
    if (parsed.success) out.push(parsed.data);
  }
  return out;
}

/** The extra_data a prompt was sent with (from a history entry or a queue item), or {}. */
export function extraDataOf(item: readonly unknown[] | undefined): Record<string, unknown> {
  const extra = item?.[3];
  return typeof extra === 'object' && extra !== null && !Array.isArray(extra) ? (extra as Record<string, unknown>) : {};
}

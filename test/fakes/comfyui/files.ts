import { posix } from 'node:path';

/**
 * The fake's output/ and temp/ folders, in memory. Naming follows ComfyUI's
 * folder_paths.get_save_image_path: the prefix's folder part is the subfolder, files are
 * `<name>_<counter:05>_.<ext>`, and a prefix that climbs out of the folder is refused.
 */
export class FileStore {
  private readonly files = new Map<string, Buffer>();
  private readonly counters = new Map<string, number>();

  static key(type: string, subfolder: string, filename: string): string {
    return `${type}:${posix.join(subfolder, filename)}`;
  }

  save(type: 'output' | 'temp', prefix: string, extension: string, data: Buffer, trailingUnderscore = true): { filename: string; subfolder: string; type: string } {
    const normalized = posix.normalize(prefix.replace(/\\/g, '/'));
    if (normalized.startsWith('../') || normalized === '..' || posix.isAbsolute(normalized)) {
      throw Object.assign(new Error(`**** ERROR: Saving image outside the output folder is not allowed.\n full_output_folder: /home/comfy/ComfyUI/output/${prefix}`), {
        pythonType: 'Exception',
      });
    }
    const subfolder = posix.dirname(normalized) === '.' ? '' : posix.dirname(normalized);
    const name = posix.basename(normalized);
    const counterKey = `${type}:${subfolder}:${name}`;
    const counter = (this.counters.get(counterKey) ?? 0) + 1;
    this.counters.set(counterKey, counter);
    const filename = `${name}_${String(counter).padStart(5, '0')}${trailingUnderscore ? '_' : ''}.${extension}`;
    this.files.set(FileStore.key(type, subfolder, filename), data);
    return { filename, subfolder, type };
  }

  get(type: string, subfolder: string, filename: string): Buffer | undefined {
    return this.files.get(FileStore.key(type, subfolder, filename));
  }

  /** Every stored file, for assertions. */
  list(): string[] {
    return [...this.files.keys()];
  }
}

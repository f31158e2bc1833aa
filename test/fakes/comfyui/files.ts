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

  /**
   * POST /upload/image (server.py image_upload): without overwrite a clash is renamed
   * `name (1).ext`, unless the bytes are the same (then the existing file is answered). Null: refused (400).
   */
  upload(type: string, subfolder: string, filename: string, data: Buffer, overwrite: boolean): { name: string; subfolder: string; type: string } | null {
    if (!filename || !['input', 'temp', 'output'].includes(type)) return null;
    const folder = posix.normalize(subfolder.replace(/\\/g, '/') || '.');
    if (folder.startsWith('..') || posix.isAbsolute(folder) || filename.includes('/') || filename.includes('..')) return null;
    const sub = folder === '.' ? '' : folder;
    const dot = filename.lastIndexOf('.');
    const [stem, ext] = dot > 0 ? [filename.slice(0, dot), filename.slice(dot)] : [filename, ''];
    let name = filename;
    if (!overwrite) {
      for (let i = 1; this.files.has(FileStore.key(type, sub, name)); i++) {
        if (this.files.get(FileStore.key(type, sub, name))!.equals(data)) return { name, subfolder: subfolder, type };
        name = `${stem} (${i})${ext}`;
      }
    }
    this.files.set(FileStore.key(type, sub, name), data);
    return { name, subfolder, type };
  }

  /** The input folder's top-level files, sorted: what LoadImage offers (nodes.py os.listdir, files only). */
  inputImages(): string[] {
    return [...this.files.keys()]
      .filter((key) => key.startsWith('input:') && !key.slice('input:'.length).includes('/'))
      .map((key) => key.slice('input:'.length))
      .sort();
  }

  get(type: string, subfolder: string, filename: string): Buffer | undefined {
    return this.files.get(FileStore.key(type, subfolder, filename));
  }

  /** Every stored file, for assertions. */
  list(): string[] {
    return [...this.files.keys()];
  }
}

/**
 * A backend's own words (an exception, a validation summary) made fit for the log line an admin
 * reads and the job's admin text: one line, no traceback, no file path, no URL credentials,
 * bounded length. Users never see it at all; admins never see a path either.
 */
const MAX_TEXT = 180;

export function sanitizeBackendText(text: string, max = MAX_TEXT): string {
  const firstLine = text.split(/\r?\n/).find((line) => line.trim().length > 0) ?? '';
  const cleaned = firstLine
    // URLs first (they may carry user:password@), then anything that looks like a file path.
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, '[url]')
    .replace(/(?:[A-Za-z]:)?(?:[\\/][^\\/\s'",;:()]+){2,}[\\/]?/g, '[path]')
    .replace(/\b[^\s'"()]+\.(?:py|safetensors|ckpt|pt|pth|bin|json|yaml|onnx)\b/gi, '[file]')
    .replace(/\s+/g, ' ')
    .trim();
  return cleaned.length > max ? `${cleaned.slice(0, max - 1)}…` : cleaned;
}

/**
 * The ComfyUI servers an operator declares in the environment, parsed once with the rest of the
 * config:
 *
 *   COMFYUI_URLS=gpu1=http://gpu1:8188,video=http://user:pass@gpu2:8188
 *
 * COMFYUI_URL (one server) stays and is the backend named `comfyui`. Names are what admins type
 * (`/backend drain gpu1`) and what each attempt records; a URL's credentials are never shown.
 */
export interface BackendDecl {
  name: string;
  url: string;
}

export const BACKEND_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;
/** The name COMFYUI_URL's one server has always been recorded under. */
export const SINGLE_BACKEND_NAME = 'comfyui';

/** A URL a backend may have: http(s) only. */
export function isBackendUrl(text: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}

/** host:port of a backend URL, never its credentials or path. */
export function serverOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'unknown';
  }
}

/** Parses COMFYUI_URL and COMFYUI_URLS together; problems are whole sentences naming no secret. */
export function parseBackendDecls(single: string | undefined, list: string | undefined, problems: string[]): BackendDecl[] {
  const decls: BackendDecl[] = single ? [{ name: SINGLE_BACKEND_NAME, url: single }] : [];
  for (const entry of (list ?? '').split(',').map((e) => e.trim()).filter(Boolean)) {
    const eq = entry.indexOf('=');
    const name = eq < 0 ? '' : entry.slice(0, eq).trim();
    const url = eq < 0 ? entry : entry.slice(eq + 1).trim();
    if (eq <= 0) problems.push(`COMFYUI_URLS: an entry for ${serverOf(url)} is not name=url`);
    else if (!BACKEND_NAME.test(name)) problems.push(`COMFYUI_URLS: name "${name.slice(0, 32)}" must be 1-32 lowercase letters, digits, dash or underscore`);
    else if (!isBackendUrl(url)) problems.push(`COMFYUI_URLS: ${name} needs a URL starting with http:// or https://`);
    else if (decls.some((d) => d.name === name)) problems.push(`COMFYUI_URLS: the name ${name} is used twice`);
    else decls.push({ name, url });
  }
  return decls;
}

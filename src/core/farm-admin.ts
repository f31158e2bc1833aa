import type { BackendActivity, BackendStatus } from './farm-state.js';
import type { Viewer } from './generate-service.js';
import { fail, ok, type Outcome } from './outcome.js';
import { can } from './policy/permissions.js';
import type { AuditNote } from './records.js';

/** A backends-table row (src/db/schema.ts `backends`). */
export interface BackendRow {
  name: string;
  /** Null: an env-declared backend whose row holds only its drained flag. */
  url: string | null;
  drained: boolean;
  addedBy: string | null;
  addedAt: Date;
}

export interface BackendRecords {
  list(): Promise<BackendRow[]>;
  /** False when the name is taken. The audit note commits with the change. */
  add(row: { name: string; url: string; addedBy: string }, audit: AuditNote): Promise<boolean>;
  /** Removes a table-added backend; false when there is none by that name. */
  remove(name: string, audit: AuditNote): Promise<boolean>;
  /** Sets the drained flag of any backend by name (a row is made for an env-declared one). */
  setDrained(name: string, drained: boolean, audit: AuditNote): Promise<void>;
}

/** The rules for names and URLs, and how a URL is shown (host:port, never credentials). */
export interface BackendRules {
  isName(name: string): boolean;
  isUrl(url: string): boolean;
  serverOf(url: string): string;
}

/** One backend as admins see it. */
export interface FarmBackend {
  name: string;
  server: string;
  source: 'env' | 'table';
  drained: boolean;
  /** What its worker last said (absent: no worker serves it now). */
  state?: BackendActivity;
  jobId?: string;
}

/**
 * Admins manage the farm: list the backends (env-declared and table-added, with their live state),
 * add or remove a server, drain one (it finishes its job and takes no more) and resume it. Every
 * change is audited in the admin's space. The farm is one for the whole install, so only admins.
 */
export class FarmAdminService {
  constructor(
    private readonly records: BackendRecords,
    private readonly declared: ReadonlyArray<{ name: string; url: string }>,
    private readonly states: { all(): Promise<BackendStatus[]> },
    private readonly rules: BackendRules,
  ) {}

  private allowed(viewer: Viewer): boolean {
    return can({ role: viewer.role, userId: viewer.identity.userId }, 'configure_space');
  }

  private note(viewer: Viewer, action: string, target: string, details: Record<string, unknown> = {}): AuditNote {
    return { spaceId: viewer.identity.spaceId, actorUserId: viewer.identity.userId, action, target, details };
  }

  async list(viewer: Viewer): Promise<Outcome<FarmBackend[]>> {
    if (!this.allowed(viewer)) return fail({ reason: 'not_permitted', action: 'see_backends' });
    return ok(await this.view());
  }

  async add(viewer: Viewer, input: { name?: unknown; url?: unknown }): Promise<Outcome<FarmBackend>> {
    if (!this.allowed(viewer)) return fail({ reason: 'not_permitted', action: 'add_backends' });
    const { name, url } = input;
    if (typeof name !== 'string' || !this.rules.isName(name)) return fail({ reason: 'backend_name_invalid', field: 'name' });
    if (typeof url !== 'string' || !this.rules.isUrl(url)) return fail({ reason: 'backend_url_invalid', field: 'url' });
    const server = this.rules.serverOf(url);
    if (this.declared.some((d) => d.name === name)) return fail({ reason: 'backend_exists', name, declared: true });
    const added = await this.records.add({ name, url, addedBy: viewer.identity.userId }, this.note(viewer, 'backend.added', name, { server }));
    if (!added) return fail({ reason: 'backend_exists', name, declared: false });
    return ok({ name, server, source: 'table', drained: false });
  }

  async remove(viewer: Viewer, name: string): Promise<Outcome<{ name: string }>> {
    if (!this.allowed(viewer)) return fail({ reason: 'not_permitted', action: 'remove_backends' });
    if (this.declared.some((d) => d.name === name)) return fail({ reason: 'backend_declared', name });
    if (!(await this.records.remove(name, this.note(viewer, 'backend.removed', name)))) return fail({ reason: 'backend_unknown', name });
    return ok({ name });
  }

  async setDrained(viewer: Viewer, name: string, drained: boolean): Promise<Outcome<FarmBackend>> {
    if (!this.allowed(viewer)) return fail({ reason: 'not_permitted', action: drained ? 'drain_backends' : 'resume_backends' });
    const known = (await this.view()).find((b) => b.name === name);
    if (!known) return fail({ reason: 'backend_unknown', name });
    await this.records.setDrained(name, drained, this.note(viewer, drained ? 'backend.drained' : 'backend.resumed', name));
    return ok({ ...known, drained });
  }

  private async view(): Promise<FarmBackend[]> {
    const [rows, states] = await Promise.all([this.records.list(), this.states.all()]);
    const live = new Map(states.map((s) => [s.name, s]));
    const drained = new Map(rows.map((r) => [r.name, r.drained]));
    const listed: FarmBackend[] = [
      ...this.declared.map((d) => ({ name: d.name, server: this.rules.serverOf(d.url), source: 'env' as const, drained: drained.get(d.name) ?? false })),
      ...rows.filter((r) => r.url !== null && !this.declared.some((d) => d.name === r.name)).map((r) => ({ name: r.name, server: this.rules.serverOf(r.url!), source: 'table' as const, drained: r.drained })),
    ];
    return listed.map((b) => {
      const status = live.get(b.name);
      return status ? { ...b, state: status.state, ...(status.jobId ? { jobId: status.jobId } : {}) } : b;
    });
  }
}

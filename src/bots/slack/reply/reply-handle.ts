import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { deriveKey } from '../../../infra/tokens.js';

/** A Workflow Builder execution waiting for this job's result. */
export interface WorkflowWait {
  executionId: string;
  /** The execution's bot_access_token, sealed with a key derived from APP_SECRET. */
  sealedToken: string;
}

/**
 * Where a job's Slack reply lives, stored with the job (runtime.service.setReply) so any Slack
 * process can resume it after a restart. `ts` is missing until the first message is posted.
 */
export interface SlackReply {
  platform: 'slack';
  teamId: string;
  channel: string;
  userId: string;
  ts?: string;
  /** The final message and the upload are posted. */
  landed?: boolean;
  workflow?: WorkflowWait;
}

export function readSlackReply(value: unknown): SlackReply | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const r = value as Partial<SlackReply>;
  if (r.platform !== 'slack' || typeof r.teamId !== 'string' || typeof r.channel !== 'string' || typeof r.userId !== 'string') return undefined;
  return r as SlackReply;
}

/**
 * Workflow tokens are short-lived but grant the app's access; the record keeps them sealed
 * (AES-256-GCM) so a database dump alone cannot use them.
 */
export class TokenSealer {
  private readonly key: Buffer;

  constructor(appSecret: string) {
    this.key = Buffer.from(deriveKey(appSecret, 'slack-workflow-token'));
  }

  seal(token: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
    return [iv, cipher.getAuthTag(), data].map((b) => b.toString('base64url')).join('.');
  }

  open(sealed: string): string | undefined {
    const [iv, tag, data] = sealed.split('.').map((part) => Buffer.from(part, 'base64url'));
    if (!iv || !tag || !data) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}

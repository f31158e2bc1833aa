import type { JobEvent } from '../../src/core/events.js';
import type { BackendStatus } from '../../src/core/farm-state.js';
import { BackendStates } from '../../src/infra/backend-states.js';
import { FakeComfyUi, type FakeComfyUiOptions } from '../fakes/comfyui/server.js';
import { api } from './api.js';
import { startTestStack, type TestStack } from './stack.js';

/** Boxes without the video savers cannot run the video template. */
export const IMAGE_ONLY: FakeComfyUiOptions = { withoutNodes: ['SaveVideo', 'CreateVideo', 'SaveAnimatedWEBP', 'VHS_VideoCombine'] };

export interface Farm {
  stack: TestStack;
  boxes: Record<string, FakeComfyUi>;
  states: BackendStates;
  events: JobEvent[];
  /** Submits one job as `user` and returns its id. */
  submit(user: string, body?: Record<string, unknown>): Promise<string>;
  /** Resolves on the first event (past or future) matching. */
  event(accept: (event: JobEvent) => boolean): Promise<JobEvent>;
  /** Resolves when the named backend's status passes `accept`. */
  status(name: string, accept: (status: BackendStatus) => boolean): Promise<BackendStatus>;
  close(): Promise<void>;
}

/**
 * A stack whose worker serves several fake ComfyUI servers declared in COMFYUI_URLS, with every
 * job event recorded in order. Probes are fast so health tests take seconds, not the default 6 s.
 */
export async function startFarm(boxes: Record<string, FakeComfyUiOptions>, env: Record<string, string> = {}): Promise<Farm> {
  const started: Record<string, FakeComfyUi> = {};
  for (const [name, options] of Object.entries(boxes)) started[name] = await FakeComfyUi.start({ stepDelayMs: 5, ...options });
  const stack = await startTestStack({
    worker: false,
    env: {
      COMFYUI_URLS: Object.entries(started).map(([name, fake]) => `${name}=${fake.url}`).join(','),
      BACKEND_PROBE_MS: '200',
      BACKEND_DOWN_AFTER: '2',
      RATE_LIMIT_PER_MINUTE: '1000',
      RATE_LIMIT_BURST: '1000',
      MAX_PENDING_PER_USER: '50',
      ...env,
    },
  });
  const events: JobEvent[] = [];
  const waiters: Array<{ accept: (e: JobEvent) => boolean; resolve: (e: JobEvent) => void }> = [];
  const unsubscribe = await stack.runtime.events.subscribe((event) => {
    events.push(event);
    for (const waiter of waiters.filter((w) => w.accept(event))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(event);
    }
  });
  const states = new BackendStates(stack.runtime.redis, stack.runtime.config.QUEUE_PREFIX);
  const tokens = new Map<string, string>();
  return {
    stack,
    boxes: started,
    states,
    events,
    async submit(user, body = {}) {
      if (!tokens.has(user)) tokens.set(user, await stack.token(user, 'creator'));
      const created = await api(stack, 'POST', '/api/anime/generate', tokens.get(user), { prompt: `a fox for ${user}`, width: 64, height: 64, steps: 4, ...body });
      if (created.status !== 202) throw new Error(`submit: ${created.status} ${JSON.stringify(created.json)}`);
      return created.json.job_id as string;
    },
    event(accept) {
      const seen = events.find(accept);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ accept, resolve }));
    },
    async status(name, accept) {
      for (;;) {
        const found = (await states.all()).find((s) => s.name === name);
        if (found && accept(found)) return found;
        // Polls the store the dashboard reads: what is under test is what lands there.
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async close() {
      await unsubscribe();
      await stack.close();
      for (const fake of Object.values(started)) await fake.close().catch(() => undefined);
    },
  };
}

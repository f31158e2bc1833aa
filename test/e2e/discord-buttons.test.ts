import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ALICE, BOB, isFinal, isProgress, startHarness, type Harness } from './discord-harness.js';

const EPHEMERAL = 64;
let h: Harness;

beforeAll(async () => {
  // Slow enough steps that a job is still running when its Cancel button is clicked.
  // Generous limits: the family tests make several jobs for one user.
  h = await startHarness({ env: { BUILTIN_STEP_DELAY_MS: '80', RATE_LIMIT_PER_MINUTE: '1000', RATE_LIMIT_BURST: '100' } });
});
afterAll(async () => {
  await h?.close();
});

describe('buttons on the job message', () => {
  test('Re-roll makes a new message with the same prompt and a new seed', async () => {
    const first = h.generate(ALICE, { prompt: 'a fox in the snow', seed: 11 });
    const done = await first.original(isFinal, 20_000);
    const click = h.click(ALICE, `ap:reroll:${h.jobIdOf(done)}`, done);
    expect((await click.callback()).type).toBe(5);
    const rerolled = await click.original(isFinal, 20_000);
    expect(rerolled.id).not.toBe(done.id);
    expect(rerolled.content).toContain('a fox in the snow');
    expect(h.jobIdOf(rerolled)).not.toBe(h.jobIdOf(done));
    const seed = (rerolled.embeds[0] as { fields: Array<{ name: string; value: string }> }).fields.find((f) => f.name === 'Seed')?.value;
    expect(seed).not.toBe('11');
    expect(rerolled.attachments).toHaveLength(1);
  });

  test('V1 V2 and U1 U2 under a finished post; V2 makes a variation in its own live message, linked to the parent', async () => {
    const first = h.generate(ALICE, { prompt: 'a heron by the pond', count: 2 });
    const done = await first.original(isFinal, 20_000);
    const parentId = h.jobIdOf(done);
    const rows = (done.components as Array<{ components: Array<{ label: string; custom_id: string }> }>).map((row) => row.components.map((c) => c.label));
    expect(rows).toEqual([['Re-roll', 'Delete'], ['V1', 'V2'], ['U1', 'U2']]);

    const vary = h.click(ALICE, `ap:vary:${parentId}:1`, done);
    expect((await vary.callback()).type).toBe(5);
    const varied = await vary.original(isFinal, 20_000);
    expect(varied.id).not.toBe(done.id);
    expect(varied.content).toContain('a heron by the pond');
    expect(varied.attachments).toHaveLength(2);
    const variation = await h.stack.runtime.records.getJob(h.jobIdOf(varied));
    expect(variation).toMatchObject({ parent: { jobId: parentId, output: 1, relation: 'variation' }, referenceStrength: expect.closeTo(0.55, 5), count: 2 });

  });

  test('U1 makes an upscale of its own, twice the size, in a new message', async () => {
    const first = h.generate(ALICE, { prompt: 'a heron in flight' });
    const done = await first.original(isFinal, 20_000);
    const parentId = h.jobIdOf(done);
    const up = h.click(BOB, `ap:upscale:${parentId}:0`, done);
    expect((await up.callback()).type).toBe(5);
    const upscaled = await up.original(isFinal, 20_000);
    expect(upscaled.id).not.toBe(done.id);
    expect(upscaled.attachments).toHaveLength(1);
    expect(JSON.stringify(upscaled.embeds)).toContain('1024×1024');
    const upscale = await h.stack.runtime.records.getJob(h.jobIdOf(upscaled));
    expect(upscale).toMatchObject({ parent: { jobId: parentId, output: 0, relation: 'upscale' }, width: 1024, height: 1024, count: 1 });
    const [original] = (await h.stack.runtime.records.listAssets(upscale!.id)).filter((a) => a.variant === 'original');
    expect([original!.width, original!.height]).toEqual([1024, 1024]);
  });

  test('V1 of a post whose pictures were deleted is refused privately, and nothing is queued', async () => {
    const first = h.generate(ALICE, { prompt: 'a paper lantern' });
    const done = await first.original(isFinal, 20_000);
    const jobId = h.jobIdOf(done);
    const parent = (await h.stack.runtime.records.getJob(jobId))!;
    const deleting = h.click(ALICE, `ap:delete:${jobId}`, done);
    await deleting.original((m) => m.content.includes('deleted'));
    expect(await h.stack.runtime.records.listAssets(jobId)).toHaveLength(0);
    const click = h.click(ALICE, `ap:vary:${jobId}:0`, done);
    const words = await click.followUp(0);
    expect(words.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(words.content).toContain("this job's pictures were deleted");
    expect(await h.stack.runtime.records.listChildren(parent.id, 10)).toEqual([]);
  });

  test('Delete is refused to another creator and works for the author', async () => {
    const handle = h.generate(ALICE, { prompt: 'a lighthouse' });
    const done = await handle.original(isFinal, 20_000);
    const jobId = h.jobIdOf(done);

    const refused = h.click(BOB, `ap:delete:${jobId}`, done);
    const words = await refused.followUp(0);
    expect(words.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(words.content).toMatch(/Only the author of this image or a moderator/);
    expect(h.fake.message(done.id)?.attachments).toHaveLength(1);
    expect(await h.stack.runtime.records.listAssets(jobId)).not.toHaveLength(0);

    const allowed = h.click(ALICE, `ap:delete:${jobId}`, done);
    expect((await allowed.callback()).type).toBe(6);
    const deleted = await allowed.original((m) => m.content.includes('deleted'));
    expect(deleted.id).toBe(done.id);
    expect(deleted.attachments).toEqual([]);
    expect(deleted.components).toEqual([]);
    expect(deleted.mentions.users).toEqual([]);
    expect(await h.stack.runtime.records.listAssets(jobId)).toHaveLength(0);
  });

  test('Cancel works on a queued job and on a running one', async () => {
    const running = h.generate(ALICE, { prompt: 'a long train journey', count: 2 });
    const inProgress = await running.original(isProgress, 20_000);
    const waiting = h.generate(BOB, { prompt: 'a short nap' });
    const queued = await waiting.original((m) => m.content.includes('Queued'));

    const cancelQueued = h.click(BOB, `ap:cancel:${h.jobIdOf(queued)}`, queued);
    expect((await cancelQueued.original((m) => m.content === 'Cancelled.')).flags & EPHEMERAL).toBe(EPHEMERAL);
    const queuedAfter = await waiting.original((m) => m.content.includes('🚫 Cancelled'));
    expect(JSON.stringify(queuedAfter.components)).not.toContain('ap:cancel');

    const cancelRunning = h.click(ALICE, `ap:cancel:${h.jobIdOf(inProgress)}`, h.fake.message(inProgress.id)!);
    await cancelRunning.original((m) => m.content === 'Cancelled.');
    await running.original((m) => m.content.includes('🚫 Cancelled'));
    const job = await h.stack.runtime.records.getJob(h.jobIdOf(inProgress));
    expect(job?.status).toBe('cancelled');
    expect(await h.landedReply(job!.id)).toMatchObject({ mode: 'interaction' });

    // Cancelling again is a conflict, said in words.
    const again = h.click(ALICE, `ap:cancel:${h.jobIdOf(inProgress)}`, h.fake.message(inProgress.id)!);
    expect((await again.original((m) => m.content.startsWith('Nothing to do'))).content).toMatch(/already ended/);
  });
});

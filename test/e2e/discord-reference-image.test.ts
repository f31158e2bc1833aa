import { and, eq } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { assets, uploads } from '../../src/db/schema.js';
import { ALICE, OWNER, isFinal, startHarness, type Harness } from './discord-harness.js';

const EPHEMERAL = 64;
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const magenta = () => sharp({ create: { width: 200, height: 200, channels: 3, background: { r: 255, g: 0, b: 255 } } }).png().toBuffer();

async function magentaShare(data: Buffer): Promise<number> {
  const raw = await sharp(data).removeAlpha().raw().toBuffer();
  let hits = 0;
  for (let i = 0; i < raw.length; i += 3) if (raw[i]! > 200 && raw[i + 1]! < 60 && raw[i + 2]! > 200) hits++;
  return hits / (raw.length / 3);
}

describe('/generate with an image attachment', () => {
  test('the attachment is fetched from the CDN, checked, kept as the job input, and painted under the result', async () => {
    const handle = h.fake.dispatchInteraction({
      userId: ALICE,
      commandName: 'generate',
      options: { prompt: 'a girl with silver hair', aspect: 'square', strength: 0.9 },
      attachments: { image: { filename: 'garden.png', contentType: 'image/png', data: await magenta() } },
    });
    const callback = await handle.callback();
    expect(callback.type).toBe(5);
    const final = await handle.original(isFinal, 20_000);
    // The bot fetched the picture from Discord's CDN (the resolved attachment's url).
    expect(h.fake.requests.some((r) => r.method === 'GET' && r.path.startsWith('/attachments/') && r.status === 200)).toBe(true);
    const jobId = h.jobIdOf(final);
    const db = h.stack.runtime.database.db;
    const [input] = await db.select().from(assets).where(and(eq(assets.jobId, jobId), eq(assets.variant, 'input')));
    expect(input).toMatchObject({ mime: 'image/png', width: 200, height: 200, characterId: null });
    const [upload] = await db.select().from(uploads).where(eq(uploads.id, input!.sourceUploadId!));
    expect(upload!.spaceId).toBe((await h.stack.runtime.records.getJob(jobId))!.spaceId);
    const posted = final.attachments[0]!;
    expect(await magentaShare(posted.data)).toBeGreaterThan(0.3);
  });

  test('a GIF attachment is refused privately, naming the image option; nothing is stored or queued', async () => {
    const db = h.stack.runtime.database.db;
    const before = (await db.select().from(uploads)).length;
    const gif = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#fff' } }).gif().toBuffer();
    const handle = h.fake.dispatchInteraction({
      userId: ALICE,
      commandName: 'generate',
      options: { prompt: 'a cat', aspect: 'square' },
      attachments: { image: { filename: 'cat.gif', contentType: 'image/gif', data: gif } },
    });
    const refusal = await handle.followUp(0);
    expect(refusal.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(refusal.content).toBe('The `image` option is not valid: only PNG, JPEG and WebP images are accepted.');
    expect((await db.select().from(uploads)).length).toBe(before);
  });
});

describe('/character reference', () => {
  const sub = (name: string, options: Record<string, unknown>[]) => [{ name, type: 1, options }];
  const str = (name: string, value: string) => ({ name, type: 3, value });
  const answerOf = async (handle: ReturnType<Harness['command']>) => {
    const answer = await handle.original((m) => m.content !== '' || m.embeds.length > 0, 10_000);
    expect(answer.flags & EPHEMERAL).toBe(EPHEMERAL);
    return answer.content || String((answer.embeds[0] as { description?: string }).description);
  };

  test('a moderator attaches a picture; /generate with the character records it as the job input', async () => {
    expect(await answerOf(h.command(OWNER, 'character', sub('create', [str('name', 'Hana'), str('fragment', 'girl, red hair')])))).toContain('Created');
    const db = h.stack.runtime.database.db;
    const before = (await db.select().from(uploads)).length;
    const refused = h.fake.dispatchInteraction({ userId: ALICE, commandName: 'character', options: sub('reference', [str('name', 'Hana')]) as never, attachments: { image: { filename: 'h.png', contentType: 'image/png', data: await magenta() } } });
    expect(await answerOf(refused)).toMatch(/moderator/i);
    expect((await db.select().from(uploads)).length).toBe(before);

    const added = h.fake.dispatchInteraction({ userId: OWNER, commandName: 'character', options: sub('reference', [str('name', 'Hana')]) as never, attachments: { image: { filename: 'h.png', contentType: 'image/png', data: await magenta() } } });
    expect(await answerOf(added)).toContain('Added a reference picture');

    const handle = h.generate(ALICE, { prompt: 'at the beach', aspect: 'square', character: 'Hana' });
    const final = await handle.original(isFinal, 20_000);
    const inputs = await db.select().from(assets).where(and(eq(assets.jobId, h.jobIdOf(final)), eq(assets.variant, 'input')));
    expect(inputs).toHaveLength(1);
    expect(inputs[0]!.characterId).toMatch(/^[0-9a-f-]{36}$/);
    expect(inputs[0]).toMatchObject({ mime: 'image/png', width: 200, height: 200 });
  });
});

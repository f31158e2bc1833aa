import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, test } from 'vitest';
import { createImageIntake } from '../../src/infra/uploads/image-intake.js';

const intake = createImageIntake({ maxBytes: 256 * 1024, maxPixels: 1024 * 1024, maxSide: 2048 });

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A valid-looking PNG whose header claims width x height; its few KB of zeros would inflate to gigabytes. */
function bombPng(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 0, 0, 0, 0], 8); // 8-bit greyscale
  const rows = deflateSync(Buffer.alloc(2 * 1024 * 1024), { level: 9 });
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', rows), chunk('IEND', Buffer.alloc(0))]);
}

const photo = (width = 40, height = 20) =>
  sharp({ create: { width, height, channels: 3, background: { r: 200, g: 40, b: 90 } } });

describe('image intake', () => {
  test('accepts PNG, JPEG and WebP, typed by their bytes, re-encoded in the same type', async () => {
    for (const [encode, mime] of [[photo().png(), 'image/png'], [photo().jpeg(), 'image/jpeg'], [photo().webp(), 'image/webp']] as const) {
      const checked = await intake.check(await encode.toBuffer());
      expect(checked.ok && { mime: checked.value.mime, width: checked.value.width, height: checked.value.height }).toEqual({ mime, width: 40, height: 20 });
    }
  });

  test('refuses other types and wrong magic: a GIF, HTML, a PNG signature in front of a JPEG (a polyglot)', async () => {
    const gif = await photo().gif().toBuffer();
    const jpeg = await photo().jpeg().toBuffer();
    const polyglot = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), jpeg]);
    const html = Buffer.from('<html><script>alert(1)</script></html>');
    for (const data of [gif, html]) {
      const checked = await intake.check(data);
      expect(!checked.ok && [checked.code, checked.reason, checked.field]).toEqual(['invalid_input', 'image_type', 'file']);
    }
    const checked = await intake.check(polyglot);
    expect(!checked.ok && checked.code).toBe('invalid_input');
    expect(!checked.ok && ['image_type', 'image_unreadable']).toContain(!checked.ok && checked.reason);
  });

  test('a JPEG signature on PNG bytes is refused as a type that is not what it claims', async () => {
    const png = await photo().png().toBuffer();
    const lying = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), png]);
    const checked = await intake.check(lying);
    expect(!checked.ok && checked.code).toBe('invalid_input');
  });

  test('a bomb PNG (tiny file, a 50000 x 50000 header) is refused from its header', async () => {
    const bomb = bombPng(50_000, 50_000);
    expect(bomb.length).toBeLessThan(64 * 1024);
    const checked = await intake.check(bomb);
    expect(!checked.ok && [checked.reason, checked.details]).toEqual(['image_too_many_pixels', { width: 50_000, height: 50_000, maxPixels: 1024 * 1024 }]);
  });

  test('a file over the byte limit is refused before it is looked at', async () => {
    const checked = await intake.check(Buffer.alloc(256 * 1024 + 1, 0xff));
    expect(!checked.ok && [checked.reason, checked.details]).toEqual(['image_too_large', { maxBytes: 256 * 1024 }]);
  });

  test('EXIF is stripped (GPS gone) and the orientation applied first', async () => {
    const tagged = await photo(40, 20)
      .jpeg()
      .withMetadata({ orientation: 6 })
      .withExifMerge({ IFD0: { Copyright: 'someone' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '35/1 41/1 22/1', GPSLongitudeRef: 'E', GPSLongitude: '139/1 41/1 30/1' } })
      .toBuffer();
    const before = await sharp(tagged).metadata();
    expect(before.exif?.toString('latin1')).toContain('someone');
    expect(before.orientation).toBe(6);
    const checked = await intake.check(tagged);
    if (!checked.ok) throw new Error(JSON.stringify(checked));
    const after = await sharp(checked.value.data).metadata();
    expect(after.exif).toBeUndefined();
    expect(after.orientation).toBeUndefined();
    expect(checked.value.data.includes(Buffer.from('GPS'))).toBe(false);
    // Orientation 6 is a quarter turn: the stored picture stands upright.
    expect([checked.value.width, checked.value.height, after.width, after.height]).toEqual([20, 40, 20, 40]);
  });

  test('bytes appended after the image do not survive the re-encode', async () => {
    const png = await photo().png().toBuffer();
    const withZip = Buffer.concat([png, Buffer.from('PK\u0003\u0004 a zip hiding here')]);
    const checked = await intake.check(withZip);
    if (!checked.ok) throw new Error(JSON.stringify(checked));
    expect(checked.value.data.includes(Buffer.from('a zip hiding here'))).toBe(false);
  });
});

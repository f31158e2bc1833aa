import { expect, test } from 'vitest';
import { groupOutputs, type OutputFile } from '../../src/core/outputs.js';

const file = (outputIndex: number, variant: OutputFile['variant']) => ({ outputIndex, variant, id: `${outputIndex}-${variant}` });

test('groups files per output in output order, whatever order the rows come in', () => {
  const groups = groupOutputs([file(1, 'thumbnail'), file(0, 'webp'), file(1, 'original'), file(0, 'original'), file(0, 'thumbnail'), file(1, 'webp')]);
  expect(groups.map((g) => [g.index, g.original.id, g.webp?.id, g.thumbnail?.id])).toEqual([
    [0, '0-original', '0-webp', '0-thumbnail'],
    [1, '1-original', '1-webp', '1-thumbnail'],
  ]);
});

test('a missing derivative is absent, and an output without its original is left out', () => {
  const groups = groupOutputs([file(2, 'original'), file(3, 'webp'), file(3, 'thumbnail')]);
  expect(groups).toEqual([{ index: 2, original: file(2, 'original') }]);
  expect(groupOutputs([])).toEqual([]);
});

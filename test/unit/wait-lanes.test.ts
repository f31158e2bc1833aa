import { expect, test } from 'vitest';
import type { BackendReport } from '../../src/core/backend-report.js';
import type { BackendStatus } from '../../src/core/farm-state.js';
import { lanesOf } from '../../src/infra/wait-estimates.js';

const status = (name: string, state: BackendStatus['state'], models: string[]): BackendStatus => ({ name, kind: 'comfyui', state, since: 0, worker: 'w', templates: [], models, updatedAt: 0, freshUntil: 1 });
const report = (worker: string, reachable: boolean, available: string[]): BackendReport => ({
  backend: 'comfyui', worker, checkedAt: 0, freshUntil: 1, reachable, checkpoints: [], templates: [], problems: [],
  models: ['anime', 'rare'].map((id) => ({ id, label: id, available: available.includes(id) })),
});

test('the farm\'s states decide: only backends taking work count, each with its models (none listed: not checked, runs anything)', () => {
  const lanes = lanesOf([status('a', 'idle', ['anime']), status('b', 'busy', []), status('c', 'drained', ['anime']), status('d', 'down', ['anime'])], [report('w1', true, ['anime'])], 4);
  expect(lanes).toEqual([{ name: 'a', models: ['anime'] }, { name: 'b' }]);
});

test('without states, each reachable reporting worker gives its prompt slots, with the models it has; without either, slots that run anything', () => {
  expect(lanesOf([], [report('w1', true, ['rare']), report('w2', false, ['anime'])], 2)).toEqual([
    { name: 'comfyui#1', models: ['rare'] },
    { name: 'comfyui#2', models: ['rare'] },
  ]);
  expect(lanesOf([], [], 2)).toEqual([{ name: 'lane1' }, { name: 'lane2' }]);
});

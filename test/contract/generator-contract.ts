import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { GenerationInput, Generator, ProgressReport } from '../../src/core/generator.js';
import { JobCancelledError } from '../../src/core/errors.js';

export interface GeneratorUnderTest {
  generator: Generator;
  cleanup(): Promise<void>;
}

export function contractInput(overrides: Partial<GenerationInput> = {}): GenerationInput {
  return {
    jobId: '00000000-0000-4000-8000-000000000001',
    kind: 'image',
    prompt: 'a girl with silver hair under cherry blossoms at night',
    negativePrompt: 'blurry',
    width: 256,
    height: 192,
    seed: 1234,
    steps: 6,
    count: 1,
    ...overrides,
  };
}

/**
 * What every Generator must do, whatever drives it. Run against the built-in renderer and against
 * the ComfyUI client talking to the fake ComfyUI server.
 */
/**
 * Each call names a job of its own: a backend may recognise a job id it has seen and return that
 * job's outputs instead of running it again (ComfyUI does, so a job runs once).
 */
export function generatorContract(label: string, make: () => Promise<GeneratorUnderTest>): void {
  describe(`Generator contract: ${label}`, () => {
    let subject: GeneratorUnderTest;
    beforeAll(async () => {
      subject = await make();
    });
    afterAll(async () => {
      await subject.cleanup();
    });

    test('has a stable name', () => {
      expect(subject.generator.name).toMatch(/^[a-z0-9-]+$/);
    });

    test('returns the requested number of images that decode at the requested size', async () => {
      const files = await subject.generator.generate(contractInput({ count: 2, jobId: randomUUID() }), {
        signal: new AbortController().signal,
        onProgress: () => undefined,
      });
      expect(files).toHaveLength(2);
      for (const file of files) {
        expect(file.kind).toBe('image');
        expect(file.mime).toMatch(/^image\//);
        const meta = await sharp(file.data).metadata();
        expect(meta.width).toBe(256);
        expect(meta.height).toBe(192);
      }
    });

    test('reports real step-by-step progress, not only 0 and 100', async () => {
      const reports: ProgressReport[] = [];
      await subject.generator.generate(contractInput({ steps: 6, jobId: randomUUID() }), {
        signal: new AbortController().signal,
        onProgress: (r) => reports.push(r),
      });
      const steps = reports.map((r) => r.step);
      expect(new Set(steps).size).toBeGreaterThanOrEqual(3);
      for (let i = 1; i < steps.length; i++) expect(steps[i]!).toBeGreaterThanOrEqual(steps[i - 1]!);
      const last = reports.at(-1)!;
      expect(last.step).toBe(last.totalSteps);
      for (const r of reports) {
        expect(r.step).toBeGreaterThanOrEqual(0);
        expect(r.step).toBeLessThanOrEqual(r.totalSteps);
        expect(r.stage.length).toBeGreaterThan(0);
      }
    });

    test('stops with JobCancelledError when the signal aborts mid-run', async () => {
      const controller = new AbortController();
      const run = subject.generator.generate(contractInput({ steps: 50, width: 512, height: 512, jobId: randomUUID() }), {
        signal: controller.signal,
        onProgress: (r) => {
          if (r.step >= 1) controller.abort();
        },
      });
      await expect(run).rejects.toBeInstanceOf(JobCancelledError);
    });

    test('refuses an already aborted signal without producing output', async () => {
      const controller = new AbortController();
      controller.abort();
      await expect(
        subject.generator.generate(contractInput(), { signal: controller.signal, onProgress: () => undefined }),
      ).rejects.toBeInstanceOf(JobCancelledError);
    });
  });
}

/**
 * Falling petals, snow and rain in front of everything. Each particle travels a whole number of
 * wraps per animation loop, so the last frame flows seamlessly into the first.
 */
import type { Random } from './random.js';
import type { Shape } from './raster.js';
import type { Stage } from './stage.js';
import { capsule, ellipse } from './shapes.js';

const TAU = Math.PI * 2;

/** Vertical position that wraps around the picture `laps` times per loop. */
function falling(s: Stage, start: number, laps: number, margin: number): number {
  const span = s.height + margin * 2;
  return ((((start + s.time * laps) % 1) + 1) % 1) * span - margin;
}

export function particles(s: Stage, rng: Random): Shape[] {
  const shapes: Shape[] = [];
  const area = (s.width * s.height) / (s.unit * s.unit);
  if (s.scene.features.petals) {
    for (let i = 0; i < Math.round(45 * area); i++) {
      const size = s.unit * rng.range(0.009, 0.016);
      const y = falling(s, rng.next(), 1, size * 2);
      const x = rng.range(0, s.width) + Math.sin(TAU * (s.time + rng.next())) * s.unit * 0.03;
      const spin = rng.range(0, TAU) + TAU * s.time;
      const colour = s.figure(rng.chance(0.5) ? [255, 176, 204] : [255, 216, 230]);
      shapes.push(ellipse(x, y, size, size * 0.55, spin, { colour, opacity: 0.95 }));
    }
  }
  if (s.scene.features.snow) {
    for (let i = 0; i < Math.round(90 * area); i++) {
      const near = rng.next();
      const r = s.unit * (0.003 + near * 0.007);
      const y = falling(s, rng.next(), 1, r * 2);
      const x = rng.range(0, s.width) + Math.sin(TAU * (s.time + rng.next())) * s.unit * 0.015;
      shapes.push(ellipse(x, y, r, r, 0, { colour: [250, 252, 255], opacity: 0.6 + near * 0.35, softness: r * 0.5 }));
    }
  }
  if (s.scene.features.rain) {
    const slant = s.unit * 0.012;
    for (let i = 0; i < Math.round(140 * area); i++) {
      const length = s.unit * rng.range(0.03, 0.06);
      const y = falling(s, rng.next(), 3, length);
      const x = rng.range(0, s.width + slant * 4) - slant * 2;
      shapes.push(capsule({ x, y }, { x: x - slant, y: y + length }, s.unit * 0.0018, s.unit * 0.0012, { colour: [210, 222, 245], opacity: 0.5 }));
    }
  }
  return shapes;
}

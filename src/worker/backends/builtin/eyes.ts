/** The big, glossy anime eye shared by every character. */
import type { Rgb } from './palette.js';
import { darken, lighten } from './palette.js';
import type { Shape } from './raster.js';
import type { Point } from './shapes.js';
import { circle, ellipse, intersect, subtract } from './shapes.js';

export interface EyeSpec {
  centre: Point;
  /** Half width and half height of the eye opening. */
  rx: number;
  ry: number;
  angle: number;
  iris: Rgb;
  /** Horizontal look offset as a fraction of rx. */
  gaze: number;
  pupil: 'round' | 'slit';
  /** Draw the heavy upper lash line (people) or not (animals). */
  lash: boolean;
  tone: (c: Rgb) => Rgb;
}

export function animeEye(spec: EyeSpec): Shape[] {
  const { centre: c, rx, ry, angle, tone } = spec;
  const lookX = spec.gaze * rx * 0.22;
  const white = ellipse(c.x, c.y, rx, ry, angle, { colour: tone([255, 255, 255]) });
  const iris = intersect(
    ellipse(c.x + lookX, c.y + ry * 0.08, rx * 0.82, ry * 0.86, angle, {
      colour: tone(darken(spec.iris, 0.5)),
      gradient: { x0: c.x, y0: c.y - ry * 0.7, x1: c.x, y1: c.y + ry * 0.9, to: tone(lighten(spec.iris, 0.3)) },
    }),
    white,
  );
  const pupil =
    spec.pupil === 'round'
      ? ellipse(c.x + lookX, c.y + ry * 0.08, rx * 0.38, ry * 0.42, angle, { colour: tone(darken(spec.iris, 0.78)) })
      : ellipse(c.x + lookX, c.y + ry * 0.05, rx * 0.14, ry * 0.66, angle, { colour: tone(darken(spec.iris, 0.8)) });
  const shapes: Shape[] = [
    ellipse(c.x, c.y, rx * 1.08, ry * 1.06, angle, { colour: tone([70, 46, 58]) }),
    white,
    iris,
    intersect(pupil, white),
    // Highlights are not toned: they are the light source's own reflection and keep eyes alive at night.
    circle(c.x + lookX - rx * 0.3, c.y - ry * 0.3, rx * 0.3, { colour: [255, 255, 255] }),
    circle(c.x + lookX + rx * 0.28, c.y + ry * 0.38, rx * 0.14, { colour: [255, 255, 255], opacity: 0.85 }),
  ];
  if (spec.lash) {
    const lid = subtract(
      ellipse(c.x, c.y - ry * 0.02, rx * 1.18, ry * 1.12, angle, { colour: tone([52, 34, 44]) }),
      ellipse(c.x, c.y + ry * 0.2, rx * 1.16, ry * 1.1, angle, { colour: [0, 0, 0] }),
    );
    shapes.push(intersect(lid, ellipse(c.x, c.y - ry * 0.45, rx * 1.3, ry * 0.75, angle, { colour: [0, 0, 0] })));
  }
  return shapes;
}

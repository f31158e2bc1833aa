/** The non-human subjects: a sitting cat, a chibi dragon and a little robot. */
import type { Figure } from './figure.js';
import { ink, sway } from './figure.js';
import { animeEye } from './eyes.js';
import type { Rgb } from './palette.js';
import { darken, lighten } from './palette.js';
import type { Shape } from './raster.js';
import type { Point } from './shapes.js';
import { capsule, circle, ellipse, inked, polygon, roundedRect, subtract, union } from './shapes.js';

interface Kit {
  R: number;
  at: (dx: number, dy: number) => Point;
  out: Shape[];
  add: (shape: Shape) => void;
  t: (c: Rgb) => Rgb;
}

function kit(f: Figure): Kit {
  const R = f.size;
  const line = Math.max(1, R * 0.04);
  const out: Shape[] = [ellipse(f.cx, f.feetY, R * 1.2, R * 0.2, 0, { colour: [0, 0, 0], opacity: 0.22, softness: R * 0.12 })];
  return {
    R,
    at: (dx, dy) => ({ x: f.cx + dx * R, y: f.feetY + dy * R }),
    out,
    add: (shape) => void out.push(...inked(shape, line, ink(shape.colour))),
    t: f.tone,
  };
}

function blush(k: Kit, centre: Point): Shape {
  return ellipse(centre.x, centre.y, k.R * 0.15, k.R * 0.08, 0, { colour: k.t([255, 128, 150]), opacity: 0.45, softness: k.R * 0.07 });
}

export function drawCat(f: Figure): Shape[] {
  const k = kit(f);
  const { R, at, add, t } = k;
  const fur = t(f.hair);
  const light = t(lighten(f.hair, 0.45));
  const swing = sway(f) * 0.25;
  add(capsule(at(0.6, -0.3), at(1.3, -0.85), R * 0.17, R * 0.15, { colour: fur }));
  add(capsule(at(1.3, -0.85), at(1.05 + swing, -1.7), R * 0.15, R * 0.11, { colour: fur }));
  add(ellipse(at(0, 0).x, at(0, -0.75).y, R * 0.85, R * 0.78, 0, { colour: fur }));
  k.out.push(ellipse(at(0, 0).x, at(0, -0.6).y, R * 0.48, R * 0.5, 0, { colour: light }));
  for (const side of [-1, 1]) add(ellipse(at(side * 0.3, 0).x, at(0, -0.1).y, R * 0.22, R * 0.13, 0, { colour: light }));
  const hy = -1.75;
  for (const side of [-1, 1]) {
    add(polygon([at(side * 0.3, hy - 0.6), at(side * 0.95, hy - 0.2), at(side * 0.85, hy - 1.2)], { colour: fur }));
    k.out.push(polygon([at(side * 0.42, hy - 0.58), at(side * 0.82, hy - 0.34), at(side * 0.8, hy - 1.0)], { colour: t([255, 182, 198]) }));
  }
  add(ellipse(at(0, 0).x, at(0, hy).y, R, R * 0.84, 0, { colour: fur }));
  for (const side of [-1, 1]) {
    k.out.push(...animeEye({ centre: at(side * 0.4, hy + 0.02), rx: R * 0.2, ry: R * 0.25, angle: 0, iris: f.eyes, gaze: f.pose.gaze, pupil: 'slit', lash: false, tone: t }));
    k.out.push(blush(k, at(side * 0.6, hy + 0.32)));
    for (const tilt of [-0.1, 0.1]) {
      k.out.push(capsule(at(side * 0.55, hy + 0.34), at(side * 1.25, hy + 0.3 + tilt * side * 2), R * 0.014, R * 0.01, { colour: t(darken(f.hair, 0.6)), opacity: 0.8 }));
    }
    const m = at(side * 0.09, hy + 0.45);
    k.out.push(
      subtract(
        ellipse(m.x, m.y, R * 0.1, R * 0.07, 0, { colour: t([110, 60, 70]) }),
        ellipse(m.x, m.y - R * 0.03, R * 0.1, R * 0.065, 0, { colour: [0, 0, 0] }),
      ),
    );
  }
  k.out.push(polygon([at(-0.08, hy + 0.3), at(0.08, hy + 0.3), at(0, hy + 0.38)], { colour: t([240, 120, 140]) }));
  return k.out;
}

export function drawDragon(f: Figure): Shape[] {
  const k = kit(f);
  const { R, at, add, t } = k;
  const scales = t(f.hair);
  const belly = t([252, 234, 184]);
  const flap = sway(f) * 0.2;
  for (const side of [-1, 1]) {
    add(polygon([at(side * 0.35, -1.6), at(side * 1.7, -2.6 + flap), at(side * 1.85, -1.5 + flap), at(side * 0.9, -1.0)], { colour: t(darken(f.hair, 0.25)) }));
  }
  add(capsule(at(0.5, -0.35), at(1.35, -0.25), R * 0.3, R * 0.18, { colour: scales }));
  add(capsule(at(1.35, -0.25), at(1.75, -0.8 - flap), R * 0.18, R * 0.07, { colour: scales }));
  add(polygon([at(1.6, -0.85 - flap), at(1.95, -1.05 - flap), at(1.8, -0.6 - flap)], { colour: t(f.outfit) }));
  add(ellipse(at(0, 0).x, at(0, -0.85).y, R * 0.82, R * 0.88, 0, { colour: scales }));
  k.out.push(ellipse(at(0, 0).x, at(0, -0.75).y, R * 0.5, R * 0.66, 0, { colour: belly }));
  for (const side of [-1, 1]) {
    add(ellipse(at(side * 0.42, 0).x, at(0, -0.13).y, R * 0.26, R * 0.15, 0, { colour: scales }));
    add(capsule(at(side * 0.6, -1.3), at(side * 0.75, -0.9), R * 0.13, R * 0.1, { colour: scales }));
  }
  const hy = -2.35;
  for (const side of [-1, 1]) add(polygon([at(side * 0.35, hy - 0.65), at(side * 0.65, hy - 0.55), at(side * 0.85, hy - 1.45)], { colour: belly }));
  for (const x of [-0.25, 0, 0.25]) k.out.push(polygon([at(x - 0.1, hy - 0.82), at(x + 0.1, hy - 0.82), at(x, hy - 1.08)], { colour: t(f.outfit) }));
  add(ellipse(at(0, 0).x, at(0, hy).y, R, R * 0.88, 0, { colour: scales }));
  add(ellipse(at(0, 0).x, at(0, hy + 0.5).y, R * 0.52, R * 0.32, 0, { colour: t(lighten(f.hair, 0.3)) }));
  for (const side of [-1, 1]) {
    k.out.push(circle(at(side * 0.16, 0).x, at(0, hy + 0.45).y, R * 0.045, { colour: t(darken(f.hair, 0.6)) }));
    k.out.push(...animeEye({ centre: at(side * 0.42, hy - 0.08), rx: R * 0.19, ry: R * 0.25, angle: 0, iris: f.eyes, gaze: f.pose.gaze, pupil: 'round', lash: false, tone: t }));
    k.out.push(blush(k, at(side * 0.66, hy + 0.3)));
  }
  return k.out;
}

export function drawRobot(f: Figure): Shape[] {
  const k = kit(f);
  const { R, at, add, t } = k;
  const metal = t(lighten(f.hair, 0.15));
  const metalDark = t(darken(f.hair, 0.3));
  const glow = f.eyes;
  const bob = sway(f) * 0.15;
  const plate = (left: number, top: number, right: number, bottom: number, radius: number): Shape => {
    const a = at(left, top);
    const b = at(right, bottom);
    return roundedRect(a.x, a.y, b.x, b.y, radius * R, { colour: metal, gradient: { x0: a.x, y0: a.y, x1: a.x, y1: b.y, to: metalDark } });
  };
  for (const side of [-1, 1]) {
    add(plate(side * 0.42 - 0.16, -0.9, side * 0.42 + 0.16, -0.15, 0.06));
    add(plate(side * 0.42 - 0.26, -0.2, side * 0.42 + 0.26, 0, 0.08));
  }
  for (const side of [-1, 1]) {
    const hand = f.pose.arms === 'wave' && side === 1 ? at(1.2, -2.4) : at(side * 1.0, -1.1);
    add(capsule(at(side * 0.75, -1.85), hand, R * 0.12, R * 0.11, { colour: metalDark }));
    add(circle(hand.x, hand.y, R * 0.17, { colour: metal }));
  }
  add(plate(-0.8, -2.0, 0.8, -0.8, 0.22));
  add(roundedRect(at(-0.45, 0).x, at(0, -1.8).y, at(0.45, 0).x, at(0, -1.15).y, R * 0.1, { colour: t([44, 50, 74]) }));
  const lights: Rgb[] = [f.outfit, glow, [255, 220, 90]];
  lights.forEach((colour, i) => k.out.push(circle(at(-0.24 + i * 0.24, 0).x, at(0, -1.48).y, R * 0.08, { colour })));
  const hy = -2.9;
  add(capsule(at(0, hy - 0.7), at(bob, hy - 1.25), R * 0.04, R * 0.04, { colour: metalDark }));
  k.out.push(circle(at(bob, 0).x, at(0, hy - 1.3).y, R * 0.3, { colour: f.outfit, opacity: 0.5, softness: R * 0.3 }));
  add(circle(at(bob, 0).x, at(0, hy - 1.3).y, R * 0.13, { colour: f.outfit }));
  for (const side of [-1, 1]) add(circle(at(side * 1.02, 0).x, at(0, hy).y, R * 0.16, { colour: metalDark }));
  add(plate(-1.0, hy - 0.8, 1.0, hy + 0.8, 0.35));
  k.out.push(roundedRect(at(-0.78, 0).x, at(0, hy - 0.4).y, at(0.78, 0).x, at(0, hy + 0.38).y, R * 0.26, { colour: t([28, 32, 52]) }));
  for (const side of [-1, 1]) {
    const eye = at(side * 0.36 + f.pose.gaze * 0.06, hy - 0.02);
    k.out.push(ellipse(eye.x, eye.y, R * 0.3, R * 0.3, 0, { colour: glow, opacity: 0.6, softness: R * 0.28 }));
    k.out.push(ellipse(eye.x, eye.y, R * 0.12, R * 0.17, 0, { colour: lighten(glow, 0.5) }));
  }
  k.out.push(
    union(
      [-0.12, 0, 0.12].map((x) => circle(at(x, 0).x, at(0, hy + 0.25).y, R * 0.035, { colour: glow })),
      { colour: lighten(glow, 0.3) },
    ),
  );
  return k.out;
}

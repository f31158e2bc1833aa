/** What every character painter receives: where to stand, how big, which pose, which colours. */
import type { Rgb } from './palette.js';
import type { Shape } from './raster.js';
import type { Appearance } from './scene.js';
import type { Point } from './shapes.js';
import { darken, named } from './palette.js';
import type { Random } from './random.js';

export interface Pose {
  /** Head tilt in radians. */
  tilt: number;
  arms: 'down' | 'wave' | 'clasp';
  /** Where the eyes look, -1 (left) .. 1 (right). */
  gaze: number;
  mouth: 'smile' | 'open';
  /** Phase offset of the hair/tail sway so seeds differ even when still. */
  swayPhase: number;
}

export interface Figure {
  cx: number;
  feetY: number;
  /** Head radius in pixels; everything else is proportioned from it. */
  size: number;
  /** Animation phase in [0, 1); a still image uses 0. */
  time: number;
  pose: Pose;
  appearance: Appearance;
  hair: Rgb;
  eyes: Rgb;
  outfit: Rgb;
  /** Ambient light of the scene applied to every colour the figure paints. */
  tone: (colour: Rgb) => Rgb;
}

/** The pose is the only part of a character the seed may change. */
export function randomPose(rng: Random): Pose {
  return {
    tilt: rng.range(-0.16, 0.16),
    arms: rng.pick(['down', 'wave', 'clasp'] as const),
    gaze: rng.range(-1, 1),
    mouth: rng.pick(['smile', 'smile', 'open'] as const),
    swayPhase: rng.next(),
  };
}

export function figureColours(appearance: Appearance): Pick<Figure, 'hair' | 'eyes' | 'outfit'> {
  return { hair: named(appearance.hair), eyes: named(appearance.eyes), outfit: named(appearance.outfit) };
}

/** Hair and tails swing once per animation loop. */
export function sway(figure: Figure): number {
  return Math.sin(2 * Math.PI * (figure.time + figure.pose.swayPhase));
}

/** Rotates points about a pivot: the head turns as one piece around the neck. */
export function rotator(pivot: Point, angle: number): (p: Point) => Point {
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  return (p) => {
    const dx = p.x - pivot.x;
    const dy = p.y - pivot.y;
    return { x: pivot.x + dx * cos - dy * sin, y: pivot.y + dx * sin + dy * cos };
  };
}

export function ink(colour: Rgb): Rgb {
  return darken(colour, 0.62);
}

export type ShapeList = Shape[];

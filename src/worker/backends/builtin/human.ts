/** A chibi anime girl or boy: big head, big eyes, hair in the prompt's colour and style. */
import type { Figure } from './figure.js';
import { ink, rotator, sway } from './figure.js';
import { animeEye } from './eyes.js';
import type { Rgb } from './palette.js';
import { darken, lighten } from './palette.js';
import type { Shape } from './raster.js';
import type { Point } from './shapes.js';
import { capsule, circle, ellipse, inked, intersect, polygon, subtract, union } from './shapes.js';

const SKIN: Rgb = [255, 229, 214];

export function drawHuman(f: Figure, kind: 'girl' | 'boy'): Shape[] {
  const R = f.size;
  const line = Math.max(1, R * 0.04);
  const t = f.tone;
  const at = (dx: number, dy: number): Point => ({ x: f.cx + dx * R, y: f.feetY + dy * R });
  // Vertical landmarks, in head radii above the feet.
  const hip = -0.95;
  const shoulder = hip - 1.05;
  const headY = shoulder - 0.98;
  const neck = at(0, shoulder - 0.1);
  const turn = rotator(neck, f.pose.tilt);
  const head = (dx: number, dy: number): Point => turn(at(dx, headY + dy));
  const swing = sway(f) * 0.08;
  const hair = t(f.hair);
  const hairDark = t(darken(f.hair, 0.28));
  const skin = t(SKIN);
  const out: Shape[] = [];
  const add = (shape: Shape): void => void out.push(...inked(shape, line, ink(shape.colour)));

  out.push(ellipse(f.cx, f.feetY, R * 1.1, R * 0.18, 0, { colour: [0, 0, 0], opacity: 0.22, softness: R * 0.12 }));
  out.push(...backHair(f, head, swing, hairDark, line));

  // Legs, socks and shoes.
  for (const side of [-1, 1]) {
    if (kind === 'boy') {
      add(capsule(at(side * 0.24, hip - 0.05), at(side * 0.25, -0.16), R * 0.17, R * 0.15, { colour: t([66, 70, 104]) }));
    } else {
      add(capsule(at(side * 0.22, hip), at(side * 0.24, -0.14), R * 0.13, R * 0.1, { colour: skin }));
      out.push(capsule(at(side * 0.24, -0.42), at(side * 0.24, -0.14), R * 0.11, R * 0.105, { colour: t([250, 250, 252]) }));
    }
    add(ellipse(f.cx + side * R * 0.28, f.feetY - R * 0.08, R * 0.22, R * 0.11, 0, { colour: t([92, 58, 52]) }));
  }

  // Clothes.
  const outfit = t(f.outfit);
  const outfitDark = t(darken(f.outfit, 0.3));
  if (kind === 'girl') {
    const dress = polygon([at(-0.42, shoulder), at(0.42, shoulder), at(0.88, -0.42), at(-0.88, -0.42)], {
      colour: t(lighten(f.outfit, 0.12)),
      gradient: { x0: f.cx, y0: at(0, shoulder).y, x1: f.cx, y1: at(0, -0.42).y, to: outfitDark },
    });
    add(union([dress, circle(at(-0.42, shoulder + 0.14).x, at(0, shoulder + 0.14).y, R * 0.16, { colour: outfit }), circle(at(0.42, 0).x, at(0, shoulder + 0.14).y, R * 0.16, { colour: outfit })], dress));
    out.push(intersect(polygon([at(-1, -0.6), at(1, -0.6), at(1, -0.4), at(-1, -0.4)], { colour: t([255, 255, 255]) }), dress));
    out.push(polygon([at(-0.45, hip - 0.32), at(0.45, hip - 0.32), at(0.5, hip - 0.18), at(-0.5, hip - 0.18)], { colour: outfitDark }));
  } else {
    add(polygon([at(-0.5, shoulder), at(0.5, shoulder), at(0.52, hip + 0.05), at(-0.52, hip + 0.05)], {
      colour: outfit,
      gradient: { x0: f.cx, y0: at(0, shoulder).y, x1: f.cx, y1: at(0, hip).y, to: outfitDark },
    }));
    out.push(capsule(at(0, shoulder + 0.15), at(0, hip), R * 0.02, R * 0.02, { colour: outfitDark }));
  }
  // Sailor collar and bow: the most recognisably anime piece of clothing.
  out.push(polygon([at(-0.36, shoulder - 0.02), at(0.36, shoulder - 0.02), at(0, shoulder + 0.42)], { colour: t([252, 252, 255]) }));
  const bowColour = t(kind === 'girl' ? darken(f.outfit, 0.45) : [200, 60, 70]);
  out.push(polygon([at(0, shoulder + 0.3), at(-0.24, shoulder + 0.18), at(-0.22, shoulder + 0.46)], { colour: bowColour }));
  out.push(polygon([at(0, shoulder + 0.3), at(0.24, shoulder + 0.18), at(0.22, shoulder + 0.46)], { colour: bowColour }));
  out.push(circle(at(0, 0).x, at(0, shoulder + 0.3).y, R * 0.07, { colour: bowColour }));

  // Arms: a sleeve over the upper arm, the hand where the pose puts it.
  for (const side of [-1, 1]) {
    const shoulderPoint = at(side * 0.46, shoulder + 0.14);
    const hand =
      f.pose.arms === 'wave' && side === 1
        ? at(1.05, shoulder - 0.55)
        : f.pose.arms === 'clasp'
          ? at(side * 0.1, hip - 0.12)
          : at(side * 0.74, hip + 0.02);
    const elbow = { x: (shoulderPoint.x + hand.x) / 2, y: (shoulderPoint.y + hand.y) / 2 };
    add(capsule(shoulderPoint, hand, R * 0.12, R * 0.1, { colour: skin }));
    add(capsule(shoulderPoint, elbow, R * 0.17, R * 0.15, { colour: outfit }));
    add(circle(hand.x, hand.y, R * 0.12, { colour: skin }));
  }

  // Neck, then the face: a round skull with a soft pointed chin.
  out.push(capsule(at(0, shoulder - 0.35), at(0, shoulder + 0.02), R * 0.13, R * 0.13, { colour: t(darken(SKIN, 0.08)) }));
  const skull = ellipse(head(0, 0).x, head(0, 0).y, R, R * 0.9, f.pose.tilt, { colour: skin });
  const chin = polygon([head(-0.78, 0.3), head(0.78, 0.3), head(0, 0.98)], { colour: skin });
  add(union([skull, chin], { colour: skin }));
  if (f.appearance.catEars) out.push(...catEars(head, hair, t, line));

  for (const side of [-1, 1]) {
    const eye = head(side * 0.42, 0.24);
    out.push(
      ellipse(head(side * 0.58, 0.56).x, head(0, 0.56).y, R * 0.16, R * 0.08, f.pose.tilt, {
        colour: t([255, 128, 150]),
        opacity: 0.5,
        softness: R * 0.07,
      }),
    );
    out.push(
      ...animeEye({ centre: eye, rx: R * 0.2, ry: R * 0.28, angle: f.pose.tilt, iris: f.eyes, gaze: f.pose.gaze, pupil: 'round', lash: true, tone: t }),
    );
    out.push(capsule(head(side * 0.26, -0.24), head(side * 0.56, -0.28), R * 0.025, R * 0.02, { colour: hairDark }));
  }
  out.push(circle(head(0.02, 0.5).x, head(0.02, 0.5).y, R * 0.025, { colour: t(darken(SKIN, 0.2)) }));
  const mouth = head(0, 0.68);
  out.push(
    f.pose.mouth === 'open'
      ? ellipse(mouth.x, mouth.y, R * 0.08, R * 0.065, f.pose.tilt, { colour: t([206, 84, 96]) })
      : subtract(
          ellipse(mouth.x, mouth.y, R * 0.11, R * 0.07, f.pose.tilt, { colour: t([160, 62, 74]) }),
          ellipse(mouth.x, mouth.y - R * 0.035, R * 0.13, R * 0.065, f.pose.tilt, { colour: [0, 0, 0] }),
        ),
  );
  out.push(...frontHair(f, head, swing, hair, hairDark, line));
  return out;
}

type HeadPoint = (dx: number, dy: number) => Point;

function backHair(f: Figure, head: HeadPoint, swing: number, colour: Rgb, line: number): Shape[] {
  const R = f.size;
  const paint = { colour };
  const back = ellipse(head(0, -0.05).x, head(0, -0.05).y, R * 1.12, R * 1.02, f.pose.tilt, paint);
  const parts: Shape[] = [back];
  switch (f.appearance.hairStyle) {
    case 'long':
      parts.push(polygon([head(-1.0, 0), head(1.0, 0), head(1.12 + swing, 2.35), head(-1.12 + swing, 2.35)], paint));
      parts.push(capsule(head(-0.95, 0.3), head(-1.05 + swing, 2.3), R * 0.2, R * 0.18, paint));
      parts.push(capsule(head(0.95, 0.3), head(1.05 + swing, 2.3), R * 0.2, R * 0.18, paint));
      break;
    case 'twintails':
      for (const side of [-1, 1]) {
        parts.push(capsule(head(side * 0.95, -0.45), head(side * 1.5, 0.8), R * 0.3, R * 0.26, paint));
        parts.push(capsule(head(side * 1.5, 0.8), head(side * (1.35 + swing), 2.1), R * 0.26, R * 0.08, paint));
      }
      break;
    case 'ponytail':
      parts.push(capsule(head(0.7, -0.55), head(1.35, 0.5), R * 0.3, R * 0.26, paint));
      parts.push(capsule(head(1.35, 0.5), head(1.2 + swing * 2, 1.8), R * 0.26, R * 0.06, paint));
      break;
    case 'short':
      parts.push(capsule(head(-0.8, 0.3), head(-0.75, 0.95), R * 0.24, R * 0.1, paint));
      parts.push(capsule(head(0.8, 0.3), head(0.75, 0.95), R * 0.24, R * 0.1, paint));
      break;
  }
  return inked(union(parts, paint), line, ink(colour));
}

function frontHair(f: Figure, head: HeadPoint, swing: number, colour: Rgb, shade: Rgb, line: number): Shape[] {
  const R = f.size;
  const top = head(0, -1);
  const paint = { colour: lighten(colour, 0.08), gradient: { x0: top.x, y0: top.y, x1: top.x, y1: head(0, 0.3).y, to: shade } };
  const cap = intersect(
    ellipse(head(0, -0.1).x, head(0, -0.1).y, R * 1.1, R * 0.96, f.pose.tilt, paint),
    polygon([head(-2, -2), head(2, -2), head(2, -0.12), head(-2, -0.12)], paint),
  );
  // Bangs: alternating long and short locks that end just above the eyes.
  const bangs: Shape[] = [];
  const locks = 6;
  for (let i = 0; i < locks; i++) {
    const x = -0.95 + (1.9 * (i + 0.5)) / locks;
    const length = i % 2 === 0 ? 0.12 : 0.02;
    const lean = x * 0.12;
    bangs.push(polygon([head(x - 0.2, -0.3), head(x + 0.2, -0.3), head(x + lean, length)], paint));
  }
  const locksPaint = { colour: colour };
  const sideLocks = [-1, 1].map((side) =>
    capsule(head(side * 0.9, -0.3), head(side * (0.88 - swing * 0.3), f.appearance.hairStyle === 'short' ? 0.7 : 0.95), R * 0.2, R * 0.05, locksPaint),
  );
  const hair = union([cap, ...bangs, ...sideLocks], paint);
  const shine = intersect(
    subtract(
      ellipse(head(0, -0.38).x, head(0, -0.38).y, R * 0.82, R * 0.36, f.pose.tilt, { colour: [255, 255, 255], opacity: 0.4 }),
      ellipse(head(0, -0.3).x, head(0, -0.3).y, R * 0.8, R * 0.33, f.pose.tilt, { colour: [0, 0, 0] }),
    ),
    cap,
  );
  const ahoge = capsule(head(0.05, -0.98), head(0.32 + swing, -1.38), R * 0.07, R * 0.015, locksPaint);
  return [...inked(ahoge, line, ink(colour)), ...inked(hair, line, ink(colour)), shine];
}

function catEars(head: HeadPoint, colour: Rgb, tone: (c: Rgb) => Rgb, line: number): Shape[] {
  const out: Shape[] = [];
  for (const side of [-1, 1]) {
    out.push(...inked(polygon([head(side * 0.35, -0.8), head(side * 0.95, -0.45), head(side * 0.85, -1.45)], { colour }), line, ink(colour)));
    out.push(polygon([head(side * 0.47, -0.8), head(side * 0.85, -0.58), head(side * 0.81, -1.22)], { colour: tone([255, 180, 196]) }));
  }
  return out;
}

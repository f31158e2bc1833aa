/**
 * Shape builders for the rasterizer. Each returns a distance function for anti-aliasing, a padded
 * bounding box, and where it can a conservative bound so whole tiles can be skipped or flooded.
 */
import type { Rgb } from './palette.js';
import type { Paint, Shape, Tile } from './raster.js';

export interface Point {
  readonly x: number;
  readonly y: number;
}

type Distance = (x: number, y: number) => number;

/** Math.hypot is several times slower than this in V8, and it runs once per pixel per shape. */
function length(x: number, y: number): number {
  return Math.sqrt(x * x + y * y);
}

/** Padding so anti-aliased edges and glows are not clipped by the bounding box. */
function padFor(paint: Paint): number {
  return 1 + (paint.softness ?? 0);
}

function boxed(paint: Paint, left: number, top: number, right: number, bottom: number, distance: Distance, bound?: Distance): Shape {
  const pad = padFor(paint);
  const shape = { ...paint, left: left - pad, top: top - pad, right: right + pad, bottom: bottom + pad, distance };
  return bound ? { ...shape, bound } : shape;
}

export function circle(cx: number, cy: number, radius: number, paint: Paint): Shape {
  const distance: Distance = (x, y) => length(x - cx, y - cy) - radius;
  return boxed(paint, cx - radius, cy - radius, cx + radius, cy + radius, distance, distance);
}

/**
 * Distance approximated by f/|grad f|, accurate within the pixel or two that anti-aliasing needs.
 * The bound measures in the ellipse's unit-circle space scaled by the shorter radius, which can
 * only underestimate.
 */
export function ellipse(cx: number, cy: number, rx: number, ry: number, angle: number, paint: Paint): Shape {
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const reach = Math.max(rx, ry);
  const inner = Math.min(rx, ry);
  const irx2 = 1 / (rx * rx);
  const iry2 = 1 / (ry * ry);
  const distance: Distance = (x, y) => {
    const dx = x - cx;
    const dy = y - cy;
    const u = dx * cos + dy * sin;
    const v = -dx * sin + dy * cos;
    const f = u * u * irx2 + v * v * iry2 - 1;
    const gu = 2 * u * irx2;
    const gv = 2 * v * iry2;
    const gradient = Math.sqrt(gu * gu + gv * gv);
    return gradient < 1e-9 ? -inner : f / gradient;
  };
  const bound: Distance = (x, y) => {
    const dx = x - cx;
    const dy = y - cy;
    const u = dx * cos + dy * sin;
    const v = -dx * sin + dy * cos;
    return (Math.sqrt(u * u * irx2 + v * v * iry2) - 1) * inner;
  };
  return boxed(paint, cx - reach, cy - reach, cx + reach, cy + reach, distance, bound);
}

/** A stroke from a to b whose radius tapers from ra to rb: limbs, hair locks, tails, rain. */
export function capsule(a: Point, b: Point, ra: number, rb: number, paint: Paint): Shape {
  const bx = b.x - a.x;
  const by = b.y - a.y;
  const lengthSquared = bx * bx + by * by || 1e-9;
  const rMax = Math.max(ra, rb);
  const rMin = Math.min(ra, rb);
  const axisDistance = (x: number, y: number): [number, number] => {
    const px = x - a.x;
    const py = y - a.y;
    let h = (px * bx + py * by) / lengthSquared;
    h = h < 0 ? 0 : h > 1 ? 1 : h;
    return [length(px - bx * h, py - by * h), h];
  };
  const distance: Distance = (x, y) => {
    const [d, h] = axisDistance(x, y);
    return d - (ra + (rb - ra) * h);
  };
  // The tapered stroke lies between the round capsules of radius rMin and rMax.
  const bound: Distance = (x, y) => {
    const [d] = axisDistance(x, y);
    return d > rMax ? d - rMax : d < rMin ? d - rMin : 0;
  };
  return boxed(paint, Math.min(a.x, b.x) - rMax, Math.min(a.y, b.y) - rMax, Math.max(a.x, b.x) + rMax, Math.max(a.y, b.y) + rMax, distance, bound);
}

/** Convex polygon in either winding; the distance is the largest signed distance to any edge line. */
export function polygon(points: readonly Point[], paint: Paint): Shape {
  if (points.length < 3) throw new Error('a polygon needs three points');
  let area = 0;
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    const q = points[(i + 1) % points.length]!;
    area += p.x * q.y - q.x * p.y;
  }
  const sign = area >= 0 ? 1 : -1;
  const edges = points.map((p, i) => {
    const q = points[(i + 1) % points.length]!;
    const side = length(q.x - p.x, q.y - p.y) || 1e-9;
    // Outward normal for the polygon's winding.
    return { px: p.x, py: p.y, nx: (sign * (q.y - p.y)) / side, ny: (sign * (p.x - q.x)) / side };
  });
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const distance: Distance = (x, y) => {
    let d = -Infinity;
    for (const e of edges) {
      const s = (x - e.px) * e.nx + (y - e.py) * e.ny;
      if (s > d) d = s;
    }
    return d;
  };
  return boxed(paint, Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys), distance, distance);
}

export function rect(left: number, top: number, right: number, bottom: number, paint: Paint): Shape {
  return roundedRect(left, top, right, bottom, 0, paint);
}

export function roundedRect(left: number, top: number, right: number, bottom: number, radius: number, paint: Paint): Shape {
  const cx = (left + right) / 2;
  const cy = (top + bottom) / 2;
  const hx = (right - left) / 2 - radius;
  const hy = (bottom - top) / 2 - radius;
  const distance: Distance = (x, y) => {
    const qx = Math.abs(x - cx) - hx;
    const qy = Math.abs(y - cy) - hy;
    return length(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius;
  };
  return boxed(paint, left, top, right, bottom, distance, distance);
}

/** Union of circles: clouds, blossom clusters, tree crowns. */
export function blob(circles: readonly { x: number; y: number; r: number }[], paint: Paint): Shape {
  const left = Math.min(...circles.map((c) => c.x - c.r));
  const right = Math.max(...circles.map((c) => c.x + c.r));
  const top = Math.min(...circles.map((c) => c.y - c.r));
  const bottom = Math.max(...circles.map((c) => c.y + c.r));
  const distance: Distance = (x, y) => {
    let d = Infinity;
    for (const c of circles) {
      const s = length(x - c.x, y - c.y) - c.r;
      if (s < d) d = s;
    }
    return d;
  };
  return boxed(paint, left, top, right, bottom, distance, distance);
}

/** Combines bounds the same way as distances; min/max of conservative bounds stay conservative. */
function combinedBound(shapes: readonly Shape[], combine: (values: number[]) => number): Distance | undefined {
  const bounds = shapes.map((s) => s.bound);
  if (bounds.some((b) => b === undefined)) return undefined;
  const defined = bounds as Distance[];
  return (x, y) => combine(defined.map((b) => b(x, y)));
}

/** `shape` with `cut` removed (crescent moons, smiles). The paint of `shape` is kept. */
export function subtract(shape: Shape, cut: Shape): Shape {
  const bound = shape.bound && cut.bound ? combinedBound([shape, cut], ([a, b]) => Math.max(a!, -b!)) : undefined;
  const result: Shape = { ...shape, distance: (x, y) => Math.max(shape.distance(x, y), -cut.distance(x, y)) };
  return withBound(result, bound);
}

/** Keeps only the part of `shape` that is inside `mask` (hair shine on the hair, bangs on the head). */
export function intersect(shape: Shape, mask: Shape): Shape {
  const result: Shape = {
    ...shape,
    left: Math.max(shape.left, mask.left),
    top: Math.max(shape.top, mask.top),
    right: Math.min(shape.right, mask.right),
    bottom: Math.min(shape.bottom, mask.bottom),
    distance: (x, y) => Math.max(shape.distance(x, y), mask.distance(x, y)),
  };
  return withBound(result, combinedBound([shape, mask], (v) => Math.max(...v)));
}

/** Several shapes merged into one, painted with `paint` (hair made of a cap, bangs and locks). */
export function union(shapes: readonly Shape[], paint: Paint): Shape {
  const pad = padFor(paint);
  const result: Shape = {
    ...paint,
    left: Math.min(...shapes.map((s) => s.left)) - pad,
    top: Math.min(...shapes.map((s) => s.top)) - pad,
    right: Math.max(...shapes.map((s) => s.right)) + pad,
    bottom: Math.max(...shapes.map((s) => s.bottom)) + pad,
    distance: (x, y) => {
      let d = Infinity;
      for (const s of shapes) {
        const e = s.distance(x, y);
        if (e < d) d = e;
      }
      return d;
    },
  };
  return withBound(result, combinedBound(shapes, (v) => Math.min(...v)));
}

/** The shape grown by `width` in a darker ink, drawn first: the cel-shaded outline anime art has. */
export function inked(shape: Shape, width: number, ink: Rgb): [Shape, Shape] {
  const grown: Shape = {
    colour: ink,
    opacity: shape.opacity ?? 1,
    left: shape.left - width,
    top: shape.top - width,
    right: shape.right + width,
    bottom: shape.bottom + width,
    distance: (x, y) => shape.distance(x, y) - width,
  };
  const bound = shape.bound;
  return [withBound(grown, bound && ((x, y) => bound(x, y) - width)), shape];
}

function withBound(shape: Shape, bound: Distance | undefined): Shape {
  const { bound: _dropped, ...rest } = shape;
  return bound ? { ...rest, bound } : rest;
}

/**
 * Everything below a ridge line y = ridge(x) down to `bottom`: hills, mountains, dunes.
 * The ridge is sampled once per column; the vertical distance is scaled by the local slope so steep
 * flanks stay as smooth as flat ones. Tiles are classified from the ridge's range over their columns.
 */
export function terrain(left: number, right: number, bottom: number, ridge: (x: number) => number, paint: Paint): Shape {
  const start = Math.floor(left);
  const columns = Math.max(1, Math.ceil(right) - start);
  const heights = new Float64Array(columns);
  const slopes = new Float64Array(columns);
  let top = Infinity;
  for (let i = 0; i < columns; i++) {
    const x = start + i + 0.5;
    const h = ridge(x);
    heights[i] = h;
    slopes[i] = 1 / Math.sqrt(1 + (ridge(x + 0.5) - ridge(x - 0.5)) ** 2);
    top = Math.min(top, h);
  }
  const column = (x: number): number => Math.min(columns - 1, Math.max(0, Math.floor(x) - start));
  const distance: Distance = (x, y) => {
    const i = column(x);
    return Math.max((heights[i]! - y) * slopes[i]!, y - bottom);
  };
  const classify = (tileLeft: number, tileTop: number, tileRight: number, tileBottom: number): Tile => {
    let lowest = -Infinity;
    let highest = Infinity;
    let flattest = 1;
    for (let x = tileLeft; x < tileRight; x++) {
      const i = column(x + 0.5);
      lowest = Math.max(lowest, heights[i]!);
      highest = Math.min(highest, heights[i]!);
      flattest = Math.min(flattest, slopes[i]!);
    }
    const firstRow = tileTop + 0.5;
    const lastRow = tileBottom - 0.5;
    if ((highest - lastRow) * flattest >= 0.5 || firstRow - bottom >= 0.5) return 'outside';
    if ((firstRow - lowest) * flattest >= 0.5 && bottom - lastRow >= 0.5) return 'inside';
    return 'edge';
  };
  const pad = padFor(paint);
  return { ...paint, left: start - pad, top: top - pad, right: start + columns + pad, bottom: bottom + pad, distance, classify };
}

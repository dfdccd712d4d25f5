// Where the window opens: where the user left it, if that place is still on a screen. Pure, so it
// is tested without Electron; window.ts keeps the bounds in electron-store (desktop-only state,
// apart from the workspace database).
import { z } from 'zod';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const DEFAULT_SIZE = { width: 960, height: 680 };
export const MIN_SIZE = { width: 480, height: 360 };

const savedBounds = z.object({
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().min(MIN_SIZE.width),
  height: z.number().int().min(MIN_SIZE.height),
});

/** How much of `a` lies inside `b`, in pixels. */
function overlap(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/**
 * The saved bounds when they are valid and at least a quarter of the window (or of a screen it
 * overfills) shows on one of the screens' work areas — moved and shrunk to fit that screen;
 * otherwise undefined (the default size, centred).
 */
export function restoreBounds(saved: unknown, workAreas: readonly Rect[]): Rect | undefined {
  const parsed = savedBounds.safeParse(saved);
  if (!parsed.success) return undefined;
  const bounds = parsed.data;
  const area = (r: Rect) => r.width * r.height;
  const screen = workAreas.find((a) => overlap(bounds, a) >= Math.min(area(bounds), area(a)) / 4);
  if (!screen) return undefined;
  const width = Math.min(bounds.width, screen.width);
  const height = Math.min(bounds.height, screen.height);
  return {
    width,
    height,
    x: Math.min(Math.max(bounds.x, screen.x), screen.x + screen.width - width),
    y: Math.min(Math.max(bounds.y, screen.y), screen.y + screen.height - height),
  };
}

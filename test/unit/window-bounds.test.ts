import { describe, expect, it } from 'vitest';
import { restoreBounds } from '../../src/main/desktop/window-bounds';

const laptop = { x: 0, y: 0, width: 1440, height: 900 };
const external = { x: 1440, y: 0, width: 2560, height: 1440 };

describe('restoring the window where it was', () => {
  it('keeps bounds that are on a screen', () => {
    expect(restoreBounds({ x: 100, y: 80, width: 900, height: 600 }, [laptop])).toEqual({
      x: 100,
      y: 80,
      width: 900,
      height: 600,
    });
    expect(restoreBounds({ x: 2000, y: 100, width: 1000, height: 800 }, [laptop, external])?.x).toBe(2000);
  });

  it('forgets bounds on a screen that is gone, and moves a half-visible window fully onto its screen', () => {
    expect(restoreBounds({ x: 2000, y: 100, width: 1000, height: 800 }, [laptop])).toBeUndefined();
    expect(restoreBounds({ x: 1200, y: 700, width: 800, height: 600 }, [laptop])).toBeUndefined();
    expect(restoreBounds({ x: 1000, y: 500, width: 800, height: 600 }, [laptop])).toEqual({
      x: 640,
      y: 300,
      width: 800,
      height: 600,
    });
  });

  it('shrinks a window larger than its screen, and ignores anything that is not saved bounds', () => {
    expect(restoreBounds({ x: 0, y: 0, width: 3000, height: 2000 }, [laptop])).toEqual(laptop);
    for (const junk of [undefined, null, 'x', { x: 1 }, { x: 0, y: 0, width: 10, height: 10 }])
      expect(restoreBounds(junk, [laptop])).toBeUndefined();
  });
});

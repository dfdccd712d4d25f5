// Which tray icon files (in resources/, drawn by scripts/make-icons.mjs) show a state on a
// platform. Pure, so it is unit-tested without Electron; the tray binding loads the file with
// nativeImage.createFromPath(join(resourcesDir, file)), which picks up the @2x file beside it.

/** What the tray icon tells at a glance. */
export type TrayIconState = 'running' | 'plane-off' | 'error';

export interface TrayIconFiles {
  /** The 1× file to load (16×16). */
  file: string;
  /** Its 2× companion (32×32), found by Electron from `file`'s name; listed for callers that add it themselves. */
  file2x: string;
  /**
   * A macOS template image (black and alpha only): call `setTemplateImage(true)` so the menu bar
   * tints it for light and dark appearances. Its name also ends in `Template`, which macOS honours.
   */
  template: boolean;
}

/**
 * The tray icon files for `state` on `platform` (a `process.platform` value): macOS gets template
 * images, every other platform the coloured icons.
 */
export function trayIconFiles(state: TrayIconState, platform: NodeJS.Platform): TrayIconFiles {
  const template = platform === 'darwin';
  const base = `tray-${state}${template ? 'Template' : ''}`;
  return { file: `${base}.png`, file2x: `${base}@2x.png`, template };
}

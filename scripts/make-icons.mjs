#!/usr/bin/env node
// Draws Portico's icons (a small portico: pediment, beam, three columns, a step) and writes them
// as PNGs. Dependency-free — shapes rasterised into RGBA buffers, PNG encoded with node:zlib and a
// CRC-32 — so the committed icons are reproducible:
//   node scripts/make-icons.mjs             # writes into resources/
//   node scripts/make-icons.mjs --out DIR   # writes into DIR (the installer test compares the two)
//
// What it writes (test/unit/installer-config.test.ts checks every file, its size and its pixels):
// - icon.png, 1024×1024: the app icon; electron-builder derives the .icns, .ico and Linux sizes from it.
// - tray-<state>Template.png / @2x (16×16, 32×32), state = running | plane-off | error: macOS menu-bar
//   template images, black plus alpha only, so macOS tints them for light and dark menu bars.
// - tray-<state>.png / @2x (16×16, 32×32): coloured tray icons for Windows and Linux.
// - trayTemplate.png / @2x: the running template under its original name (older tray loaders).
// src/main/desktop/tray-icons.ts names the tray files to load for a state and platform.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** Encodes RGBA pixels (row-major, 4 bytes each) as an 8-bit RGBA PNG, every row unfiltered. */
function encodePng(width, height, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8); // bit depth 8, colour type RGBA, deflate, no filter method, no interlace
  const stride = width * 4 + 1;
  const rows = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    rows[y * stride] = 0; // filter type: none
    rgba.copy(rows, y * stride + 1, y * width * 4, (y + 1) * width * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---- shapes, in unit coordinates (0..1, y grows downward) ----

const inRect = (x, y, x0, y0, x1, y1) => x >= x0 && x <= x1 && y >= y0 && y <= y1;

/** The portico glyph; with a badge in its corner, two columns stand where the badge leaves room. */
function portico(x, y, badged = false) {
  const pediment = y >= 0.12 && y <= 0.34 && Math.abs(x - 0.5) <= ((y - 0.12) / 0.22) * 0.4;
  const beam = inRect(x, y, 0.1, 0.37, 0.9, 0.44);
  const columns = (badged ? [0.21, 0.42] : [0.24, 0.5, 0.76]).some((cx) =>
    inRect(x, y, cx - 0.065, 0.48, cx + 0.065, 0.79),
  );
  const step = inRect(x, y, 0.08, 0.82, 0.92, 0.9);
  return pediment || beam || columns || step;
}

function roundedSquare(x, y, radius) {
  const dx = Math.max(radius - x, x - (1 - radius), 0);
  const dy = Math.max(radius - y, y - (1 - radius), 0);
  return dx * dx + dy * dy <= radius * radius;
}

/** The glyph shrunk into a tile (the app icon and the coloured tray icons). */
const tileGlyph = (x, y, badged) => portico((x - 0.5) / 0.8 + 0.5, (y - 0.5) / 0.8 + 0.5, badged);

// A state badge in the bottom-right corner, separated from the glyph by a transparent gap.
const BADGE = { cx: 0.77, cy: 0.77, r: 0.23, gap: 0.06 };
const inCircle = (x, y, r) => (x - BADGE.cx) ** 2 + (y - BADGE.cy) ** 2 <= r * r;

/** The mark knocked out of a badge: "!" for an error, "−" for a plane switched off. */
const MARKS = {
  error: (x, y) =>
    Math.abs(x - BADGE.cx) <= 0.05 &&
    (inRect(x, y, 0, BADGE.cy - 0.16, 1, BADGE.cy + 0.02) ||
      inRect(x, y, 0, BADGE.cy + 0.07, 1, BADGE.cy + 0.15)),
  'plane-off': (x, y) => Math.abs(y - BADGE.cy) <= 0.045 && Math.abs(x - BADGE.cx) <= 0.13,
};

/**
 * Wraps a shade function with a state badge: inside the badge, `badge` (mark knocked out to `mark`);
 * in the gap around it, transparent; elsewhere, the base image.
 */
function withBadge(base, state, badge, mark) {
  if (state === 'running') return base;
  const knockedOut = MARKS[state];
  return (x, y) => {
    if (inCircle(x, y, BADGE.r)) return knockedOut(x, y) ? mark : badge;
    if (inCircle(x, y, BADGE.r + BADGE.gap)) return null;
    return base(x, y);
  };
}

/** Rasterises with 4×4 supersampling; `shade` maps a point to [r, g, b, alpha 0..1] or null. */
function render(size, shade) {
  const out = Buffer.alloc(size * size * 4);
  const samples = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const sum = [0, 0, 0, 0];
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const colour = shade((px + (sx + 0.5) / samples) / size, (py + (sy + 0.5) / samples) / size);
          if (!colour) continue;
          // Weight colours by alpha so edges blend toward the right colour, not toward black.
          for (let i = 0; i < 3; i++) sum[i] += colour[i] * colour[3];
          sum[3] += colour[3];
        }
      }
      const offset = (py * size + px) * 4;
      for (let i = 0; i < 3; i++) out[offset + i] = sum[3] ? Math.round(sum[i] / sum[3]) : 0;
      out[offset + 3] = Math.round((sum[3] / (samples * samples)) * 255);
    }
  }
  return out;
}

// ---- the icons ----

const INDIGO = [79, 70, 229];
const GREY = [120, 124, 134];
const WHITE = [255, 255, 255];
const AMBER = [217, 119, 6];
const RED = [220, 38, 38];
const BLACK = [0, 0, 0];

const tile =
  (background, badged = false) =>
  (x, y) => {
    if (!roundedSquare(x, y, 0.22)) return null;
    return tileGlyph(x, y, badged) ? [...WHITE, 1] : [...background, 1];
  };

/** macOS template images: black and alpha only. A plane off dims the glyph; a badge tells the state. */
function templateShade(state) {
  const glyphAlpha = state === 'plane-off' ? 0.5 : 1;
  const glyph = (x, y) => (portico(x, y, state !== 'running') ? [...BLACK, glyphAlpha] : null);
  return withBadge(glyph, state, [...BLACK, 1], null);
}

/** Windows/Linux: the app tile, grey while a plane is off, with an amber or red badge. */
function colouredShade(state) {
  if (state === 'running') return tile(INDIGO);
  const base = tile(state === 'plane-off' ? GREY : INDIGO, true);
  return withBadge(base, state, [...(state === 'error' ? RED : AMBER), 1], [...WHITE, 1]);
}

const STATES = ['running', 'plane-off', 'error'];

/** Every file this script writes: [name, size in px, shade]. */
export const ICONS = [
  ['icon.png', 1024, tile(INDIGO)],
  ['trayTemplate.png', 16, templateShade('running')],
  ['trayTemplate@2x.png', 32, templateShade('running')],
  ...STATES.flatMap((state) => [
    [`tray-${state}Template.png`, 16, templateShade(state)],
    [`tray-${state}Template@2x.png`, 32, templateShade(state)],
    [`tray-${state}.png`, 16, colouredShade(state)],
    [`tray-${state}@2x.png`, 32, colouredShade(state)],
  ]),
];

function main(argv) {
  const outFlag = argv.indexOf('--out');
  const outDir =
    outFlag >= 0 && argv[outFlag + 1]
      ? resolve(argv[outFlag + 1])
      : join(dirname(fileURLToPath(import.meta.url)), '..', 'resources');
  mkdirSync(outDir, { recursive: true });
  for (const [name, size, shade] of ICONS) {
    writeFileSync(join(outDir, name), encodePng(size, size, render(size, shade)));
    console.log(`wrote ${join(outDir, name)} (${size}x${size})`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  main(process.argv.slice(2));

#!/usr/bin/env node
// Draws Portico's icons (a small portico: pediment, three columns, a step) and writes
// them as PNGs into resources/. Dependency-free so anyone can regenerate them:
//   node scripts/generate-icons.mjs
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const resources = join(dirname(fileURLToPath(import.meta.url)), '..', 'resources');

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

/** Encodes RGBA pixels (row-major, 4 bytes each) as an 8-bit RGBA PNG. */
function encodePng(width, height, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8); // bit depth 8, colour type RGBA, default compression/filter/interlace
  const rows = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    rows[y * (width * 4 + 1)] = 0; // filter: none
    rgba.copy(rows, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const inRect = (x, y, x0, y0, x1, y1) => x >= x0 && x <= x1 && y >= y0 && y <= y1;

/** The glyph in unit coordinates (y grows downward). */
function portico(x, y) {
  const pediment = y >= 0.12 && y <= 0.34 && Math.abs(x - 0.5) <= ((y - 0.12) / 0.22) * 0.4;
  const beam = inRect(x, y, 0.1, 0.37, 0.9, 0.44);
  const columns = [0.24, 0.5, 0.76].some((cx) => inRect(x, y, cx - 0.065, 0.48, cx + 0.065, 0.79));
  const step = inRect(x, y, 0.08, 0.82, 0.92, 0.9);
  return pediment || beam || columns || step;
}

function roundedSquare(x, y, radius) {
  const dx = Math.max(radius - x, x - (1 - radius), 0);
  const dy = Math.max(radius - y, y - (1 - radius), 0);
  return dx * dx + dy * dy <= radius * radius;
}

/** Rasterises with 4x4 supersampling; `shade` maps a sample point to [r,g,b,a] or null. */
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
          // Premultiply so edges blend toward the right colour, not toward black.
          for (let i = 0; i < 3; i++) sum[i] += colour[i] * colour[3];
          sum[3] += colour[3];
        }
      }
      const alpha = sum[3] / (samples * samples);
      const offset = (py * size + px) * 4;
      for (let i = 0; i < 3; i++) out[offset + i] = sum[3] ? Math.round(sum[i] / sum[3]) : 0;
      out[offset + 3] = Math.round(alpha * 255);
    }
  }
  return out;
}

const appIcon = (x, y) => {
  if (!roundedSquare(x, y, 0.22)) return null;
  // Shrink the glyph a little inside the tile.
  return portico((x - 0.5) / 0.8 + 0.5, (y - 0.5) / 0.8 + 0.5) ? [255, 255, 255, 1] : [79, 70, 229, 1];
};
// macOS template images: black plus alpha; the OS recolours them for light/dark menus.
const trayGlyph = (x, y) => (portico(x, y) ? [0, 0, 0, 1] : null);

const outputs = [
  ['icon.png', 256, appIcon],
  ['trayTemplate.png', 16, trayGlyph],
  ['trayTemplate@2x.png', 32, trayGlyph],
];
for (const [name, size, shade] of outputs) {
  writeFileSync(join(resources, name), encodePng(size, size, render(size, shade)));
  console.log(`wrote resources/${name} (${size}x${size})`);
}

// Draw the extension icon as PNGs at build time: a rounded square with a light "nudge"
// dot, anti-aliased, so no binary files live in the repository.

import { deflateSync } from "node:zlib";

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, "ascii");
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** Encode RGBA pixels (row-major, 4 bytes each) as a PNG. */
export function encodePng(width, height, rgba) {
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    rgba.copy(raw, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

const BRAND = [79, 70, 229]; // indigo
const DOT = [255, 255, 255];

/** Coverage (0..1) of pixel (x, y) by a shape, by 4x4 supersampling. */
function coverage(inside, x, y) {
  let hits = 0;
  for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) if (inside(x + (i + 0.5) / 4, y + (j + 0.5) / 4)) hits++;
  return hits / 16;
}

export function drawIcon(size) {
  const px = Buffer.alloc(size * size * 4);
  const r = size * 0.22;
  const inSquare = (x, y) => {
    const dx = Math.max(r - x, 0, x - (size - r));
    const dy = Math.max(r - y, 0, y - (size - r));
    return dx * dx + dy * dy <= r * r;
  };
  const c = size / 2;
  const inDot = (x, y) => (x - c) ** 2 + (y - c) ** 2 <= (size * 0.2) ** 2;
  const inRing = (x, y) => {
    const d = Math.hypot(x - c, y - c);
    return d >= size * 0.29 && d <= size * 0.36;
  };
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const base = coverage(inSquare, x, y);
      const light = Math.max(coverage(inDot, x, y), coverage(inRing, x, y) * 0.7);
      const i = (y * size + x) * 4;
      for (let k = 0; k < 3; k++) px[i + k] = Math.round(BRAND[k] * (1 - light) + DOT[k] * light);
      px[i + 3] = Math.round(255 * base);
    }
  }
  return encodePng(size, size, px);
}

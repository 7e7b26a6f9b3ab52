// PNG sheets of equal tiles, e.g. OpenCV's digits.png (5,000 MNIST digits of 20×20 on a 2000×1000 sheet, 100 a row,
// 5 rows per digit). Tiles are read row by row, left to right; with `rowsPerClass` the label of a tile is its tile row
// divided by rowsPerClass. `pad` adds a zero border (digits: 4, giving the 28×28 MNIST framing).
// Decoding is fast-png's; gray, gray+alpha, RGB, RGBA and palette PNGs of 8 or 16 bits are accepted, alpha is dropped.
import { readFile } from 'node:fs/promises';
import { convertIndexedToRgb, decode, hasPngSignature } from 'fast-png';
import type { ImageSet } from '../plugin/types.ts';
import { DataFormatError } from './errors.ts';

export interface PngSheetOptions {
  tileHeight: number;
  tileWidth: number;
  /** Tile rows per class, counted from the top (class 0 first); omit for an unlabelled sheet. */
  rowsPerClass?: number;
  /** Zero border added around each tile. */
  pad?: number;
  name?: string;
  classes?: readonly string[];
  /** Output channels; default 1 for a gray sheet, 3 for a colour one. Colour → 1 uses ITU-R 601 luma. */
  channels?: 1 | 3;
}

interface Pixels {
  width: number;
  height: number;
  /** Interleaved samples in [0, 1]. */
  samples: Float32Array;
  /** Colour channels without alpha: 1 or 3. */
  colour: 1 | 3;
  /** Samples per pixel including alpha. */
  stride: number;
}

function decodePixels(bytes: Uint8Array, file: string): Pixels {
  if (!hasPngSignature(bytes))
    throw new DataFormatError(file, 'a PNG file (signature 89 50 4E 47 0D 0A 1A 0A)', 'other bytes');
  let png;
  try {
    png = decode(bytes);
  } catch (error) {
    throw new DataFormatError(
      file,
      'a decodable PNG',
      `a corrupt or truncated one (${error instanceof Error ? error.message : error})`,
    );
  }
  let data: ArrayLike<number> = png.data;
  let stride = png.channels;
  let max = 2 ** png.depth - 1;
  if (png.palette) {
    data = convertIndexedToRgb(png);
    stride = png.palette[0]?.length ?? 3;
    max = 255;
  }
  if (data.length !== png.width * png.height * stride) {
    throw new DataFormatError(
      file,
      `${png.width * png.height * stride} samples for ${png.width}×${png.height}×${stride}`,
      `${data.length}`,
    );
  }
  const samples = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) samples[i] = data[i]! / max;
  const colour = stride >= 3 ? 3 : 1;
  return { width: png.width, height: png.height, samples, colour, stride };
}

/** Cuts decoded PNG bytes into tiles. `file` names the sheet in errors. */
export function decodePngSheet(bytes: Uint8Array, file: string, options: PngSheetOptions): ImageSet {
  const { tileHeight, tileWidth, rowsPerClass, pad = 0 } = options;
  for (const [key, value] of Object.entries({ tileHeight, tileWidth, pad, rowsPerClass: rowsPerClass ?? 1 })) {
    if (!Number.isInteger(value) || value < (key === 'pad' ? 0 : 1))
      throw new RangeError(
        `${file}: option ${key} must be a ${key === 'pad' ? 'non-negative' : 'positive'} ` + `integer, got ${value}`,
      );
  }
  const px = decodePixels(bytes, file);
  if (px.width % tileWidth !== 0 || px.height % tileHeight !== 0) {
    throw new DataFormatError(
      file,
      `a sheet whose size is a multiple of the ${tileWidth}×${tileHeight} ` + `tile`,
      `${px.width}×${px.height}`,
    );
  }
  const tileRows = px.height / tileHeight;
  const tileCols = px.width / tileWidth;
  if (rowsPerClass !== undefined && tileRows % rowsPerClass !== 0) {
    throw new DataFormatError(
      file,
      `a number of tile rows divisible by rowsPerClass=${rowsPerClass}`,
      `${tileRows} tile rows`,
    );
  }
  const channels = options.channels ?? px.colour;
  const height = tileHeight + 2 * pad;
  const width = tileWidth + 2 * pad;
  const count = tileRows * tileCols;
  const data = new Float32Array(count * height * width * channels);
  const labels = rowsPerClass !== undefined ? new Int32Array(count) : null;
  for (let tr = 0; tr < tileRows; tr++) {
    for (let tc = 0; tc < tileCols; tc++) {
      const n = tr * tileCols + tc;
      if (labels) labels[n] = Math.floor(tr / rowsPerClass!);
      for (let y = 0; y < tileHeight; y++) {
        for (let x = 0; x < tileWidth; x++) {
          const src = ((tr * tileHeight + y) * px.width + tc * tileWidth + x) * px.stride;
          const dst = ((n * height + y + pad) * width + x + pad) * channels;
          writePixel(px, src, data, dst, channels);
        }
      }
    }
  }
  const classCount = labels ? tileRows / rowsPerClass! : undefined;
  if (options.classes && classCount !== undefined && options.classes.length !== classCount) {
    throw new DataFormatError(
      file,
      `${options.classes.length} classes of ${rowsPerClass} tile rows`,
      `${tileRows} tile rows (${classCount} classes)`,
    );
  }
  return {
    name: options.name ?? 'png-sheet',
    data,
    count,
    height,
    width,
    channels,
    labels,
    ...(options.classes ? { classes: options.classes } : {}),
  };
}

function writePixel(px: Pixels, src: number, out: Float32Array, dst: number, channels: 1 | 3): void {
  const s = px.samples;
  if (px.colour === 1) {
    for (let c = 0; c < channels; c++) out[dst + c] = s[src]!;
  } else if (channels === 3) {
    out[dst] = s[src]!;
    out[dst + 1] = s[src + 1]!;
    out[dst + 2] = s[src + 2]!;
  } else {
    out[dst] = 0.299 * s[src]! + 0.587 * s[src + 1]! + 0.114 * s[src + 2]!;
  }
}

/** Reads a PNG sheet of tiles from disk. */
export async function readPngSheet(file: string, options: PngSheetOptions): Promise<ImageSet> {
  const raw = await readFile(file);
  return decodePngSheet(new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength), file, options);
}

// The tables' QR sheet on paper: printed to PDF by Chromium, rendered page by page (MuPDF), and
// every code read back (jsQR) to the address of its table.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import jsQR from 'jsqr';
import * as mupdf from 'mupdf';

import { page, suite } from './harness.mjs';

const SLUG = 'trattoria-qr';

const world = suite(SLUG);

/**
 * Every QR code on a rendered page. jsQR reads one code an image and is put off by another
 * code's corner, so the page is read in overlapping windows; each code read is painted over
 * white and the page read again, until a pass reads nothing new.
 */
function codesOn(pixmap) {
  const [width, height, stride] = [pixmap.getWidth(), pixmap.getHeight(), pixmap.getStride()];
  const rgb = new Uint8ClampedArray(pixmap.getPixels());
  const [size, step] = [400, 100];
  const found = new Set();
  const window = (left, top, w, h) => {
    const rgba = new Uint8ClampedArray(w * h * 4);
    for (let y = 0; y < h; y += 1) {
      for (let x = 0; x < w; x += 1) {
        const from = (top + y) * stride + (left + x) * 3;
        rgba.set(rgb.subarray(from, from + 3), (y * w + x) * 4);
        rgba[(y * w + x) * 4 + 3] = 255;
      }
    }
    return rgba;
  };
  const paintOver = (left, top, location) => {
    const corners = ['topLeftCorner', 'topRightCorner', 'bottomLeftCorner', 'bottomRightCorner'].map((c) => location[c]);
    const [x0, x1] = [Math.min(...corners.map((p) => p.x)), Math.max(...corners.map((p) => p.x))].map((x) => Math.round(left + x));
    const [y0, y1] = [Math.min(...corners.map((p) => p.y)), Math.max(...corners.map((p) => p.y))].map((y) => Math.round(top + y));
    for (let y = Math.max(0, y0 - 4); y < Math.min(height, y1 + 4); y += 1) rgb.fill(255, y * stride + Math.max(0, x0 - 4) * 3, y * stride + Math.min(width, x1 + 4) * 3);
  };
  for (let pass = 0, before = -1; pass < 6 && found.size !== before; pass += 1) {
    before = found.size;
    for (let top = 0; top < height; top += step) {
      for (let left = 0; left < width; left += step) {
        const [w, h] = [Math.min(size, width - left), Math.min(size, height - top)];
        const code = jsQR(window(left, top, w, h), w, h, { inversionAttempts: 'dontInvert' });
        if (code) {
          found.add(code.data);
          paintOver(left, top, code.location);
        }
      }
    }
  }
  return [...found];
}

test('the printed QR sheet reads, table by table, as each table\'s address', async () => {
  const tab = await page(await world.chrome.newContext(), world.errors);
  await tab.goto(`${world.server.base}/r/${SLUG}/tables`);
  await tab.locator('.table-card').first().waitFor();

  const pdf = await tab.pdf({ format: 'A4', printBackground: true });

  const document = mupdf.Document.openDocument(pdf, 'application/pdf');
  const read = [];
  for (let n = 0; n < document.countPages(); n += 1) {
    // White paper, no alpha: what a printer puts the codes on.
    const pixmap = document.loadPage(n).toPixmap(mupdf.Matrix.scale(2, 2), mupdf.ColorSpace.DeviceRGB, false);
    assert.equal(pixmap.getNumberOfComponents(), 3, 'RGB samples');
    if (process.env.QR_PNG) (await import('node:fs')).writeFileSync(`${process.env.QR_PNG}-${n}.png`, pixmap.asPNG());
    read.push(...codesOn(pixmap));
  }
  const expected = ['1', '2', '7'].map((table) => `${world.server.base}/r/${SLUG}/t/${table}`);
  assert.deepEqual(read.sort(), expected.sort());
});

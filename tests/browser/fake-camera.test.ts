import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jsQRModule from 'jsqr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frameMarker, writeQrVideo, y4mHeader } from './fake-camera.ts';

// jsqr is CommonJS typed as an ES module: its function is the module's `default` property either way.
const jsQR = jsQRModule.default;

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'boucle-fake-camera-'));
});
afterAll(() => rm(folder, { recursive: true, force: true }));

/** Luma to RGBA, as a browser would hand a grey frame to jsQR. */
function greyToRgba(luma: Uint8Array): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(luma.length * 4);
  for (let index = 0; index < luma.length; index++) {
    rgba.set([luma[index]!, luma[index]!, luma[index]!, 255], index * 4);
  }
  return rgba;
}

describe('the fake camera video', () => {
  it('is a Y4M 4:2:0 stream whose frames show a QR code a reader decodes back to the label URL', async () => {
    const text = 'http://boucle.test/d/B7K29QXM';
    const path = join(folder, 'label.y4m');
    const size = { width: 640, height: 480, frames: 30 };
    await writeQrVideo(text, path, size);
    const video = await readFile(path);

    const header = y4mHeader(size);
    expect(video.subarray(0, header.length).toString('ascii')).toBe('YUV4MPEG2 W640 H480 F30:1 Ip A1:1 C420jpeg\n');
    const lumaBytes = 640 * 480;
    const frameBytes = frameMarker.length + lumaBytes + 2 * (320 * 240);
    expect(video.length).toBe(header.length + 30 * frameBytes);

    const lastFrame = header.length + 29 * frameBytes;
    expect(video.subarray(lastFrame, lastFrame + frameMarker.length).toString('ascii')).toBe('FRAME\n');
    const luma = video.subarray(lastFrame + frameMarker.length, lastFrame + frameMarker.length + lumaBytes);
    expect(new Set(luma)).toEqual(new Set([16, 235]));
    const chroma = video.subarray(lastFrame + frameMarker.length + lumaBytes, lastFrame + frameBytes);
    expect(chroma.every((value) => value === 128)).toBe(true);

    const decoded = jsQR(greyToRgba(luma), 640, 480);
    expect(decoded?.data).toBe(text);
    // Centred: the symbol's middle is the frame's middle, within a module.
    const { topLeftCorner, bottomRightCorner } = decoded!.location;
    expect(Math.abs((topLeftCorner.x + bottomRightCorner.x) / 2 - 320)).toBeLessThan(12);
    expect(Math.abs((topLeftCorner.y + bottomRightCorner.y) / 2 - 240)).toBeLessThan(12);
  });

  it('refuses a frame too small for eight pixels a module with the quiet zone', async () => {
    await expect(writeQrVideo('http://boucle.test/d/B7K29QXM', join(folder, 'tiny.y4m'), { width: 160, height: 120, frames: 1 })).rejects.toThrow(
      /does not fit/,
    );
  });
});

import { open } from 'node:fs/promises';
import QRCode from 'qrcode';

/*
 * A camera for Chromium that films a label: --use-file-for-fake-video-capture plays a Y4M file
 * (YUV4MPEG2, the raw format of the mjpegtools) in a loop. Each frame is planar YUV 4:2:0: a
 * full-size luma plane, then the two chroma planes at half width and half height.
 */

export type VideoSize = { width: number; height: number; frames: number };

// Studio-swing luma (ITU-R BT.601): black is 16 and white 235, not 0 and 255.
const black = 16;
const white = 235;
const neutralChroma = 128;
// ISO/IEC 18004 asks for a quiet zone of four modules around the symbol.
const quietZoneModules = 4;
const minimumModulePixels = 8;

/** The Y4M stream header for 4:2:0 progressive frames at 30 per second. */
export const y4mHeader = ({ width, height }: Pick<VideoSize, 'width' | 'height'>) => `YUV4MPEG2 W${width} H${height} F30:1 Ip A1:1 C420jpeg\n`;
export const frameMarker = 'FRAME\n';

/** The luma plane of one frame: the QR of `text`, black on white, centred, as large as whole modules allow. */
export function qrLumaPlane(text: string, width: number, height: number): Uint8Array {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const modulePixels = Math.floor(Math.min(width, height) / (modules.size + 2 * quietZoneModules));
  if (modulePixels < minimumModulePixels) {
    throw new Error(`A ${modules.size}-module QR code does not fit ${width}×${height} at ${minimumModulePixels} px per module with its quiet zone.`);
  }
  const plane = new Uint8Array(width * height).fill(white);
  const symbolPixels = modules.size * modulePixels;
  const left = Math.floor((width - symbolPixels) / 2);
  const top = Math.floor((height - symbolPixels) / 2);
  for (let row = 0; row < modules.size; row++) {
    for (let column = 0; column < modules.size; column++) {
      if (!modules.get(row, column)) continue;
      for (let y = 0; y < modulePixels; y++) {
        const start = (top + row * modulePixels + y) * width + left + column * modulePixels;
        plane.fill(black, start, start + modulePixels);
      }
    }
  }
  return plane;
}

/** Writes a Y4M video of `frames` identical frames showing the QR code of `text`. */
export async function writeQrVideo(text: string, path: string, size: VideoSize = { width: 640, height: 480, frames: 30 }): Promise<void> {
  const { width, height, frames } = size;
  if (width % 2 !== 0 || height % 2 !== 0) throw new Error('4:2:0 frames need an even width and height.');
  const luma = qrLumaPlane(text, width, height);
  const chroma = new Uint8Array((width / 2) * (height / 2) * 2).fill(neutralChroma);
  const frame = Buffer.concat([Buffer.from(frameMarker, 'ascii'), luma, chroma]);
  const file = await open(path, 'w');
  try {
    await file.write(y4mHeader(size));
    for (let index = 0; index < frames; index++) await file.write(frame);
  } finally {
    await file.close();
  }
}

// Photos are downscaled on the phone before they are stored: a 12-megapixel camera JPEG is
// 3–5 MB, which fills a cheap phone's storage after a few markets and takes minutes on 3G. At
// most 1280 px on the long side and JPEG quality 0.8 keeps a stall's bags readable at ~200 KB.
// The SHA-256 of the stored bytes is the photo's name on the server (PUT /attachments/<sha>).

export const MAX_EDGE = 1280;
export const JPEG_QUALITY = 0.8;

/** Lower-case hex SHA-256 of a Blob or ArrayBuffer. */
export async function sha256Hex(data) {
  const buffer = data instanceof ArrayBuffer ? data : await data.arrayBuffer();
  const digest = await crypto.subtle.digest('SHA-256', buffer);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Width and height that fit in maxEdge × maxEdge, keeping the aspect ratio (never upscales). */
export function fitWithin(width, height, maxEdge = MAX_EDGE) {
  const scale = Math.min(1, maxEdge / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

async function decode(file) {
  // 'from-image' applies the EXIF orientation, so portrait photos stay upright.
  try {
    return await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch {
    return createImageBitmap(file); // older engines reject the options bag
  }
}

function canvasOf(width, height) {
  if (typeof OffscreenCanvas === 'function') {
    const canvas = new OffscreenCanvas(width, height);
    return { canvas, toBlob: (type, quality) => canvas.convertToBlob({ type, quality }) };
  }
  // Fallback (e.g. Safari before 16.4): a detached <canvas> element.
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  return {
    canvas,
    toBlob: (type, quality) =>
      new Promise((resolve, reject) =>
        canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('canvas.toBlob failed'))), type, quality),
      ),
  };
}

/**
 * A picked or captured image file → {blob, sha256, type: 'image/jpeg', size}, at most
 * MAX_EDGE px on its long side. Rejects when the file is not an image the browser can decode.
 * @param {Blob} file
 */
export async function preparePhoto(file) {
  const bitmap = await decode(file);
  try {
    const { width, height } = fitWithin(bitmap.width, bitmap.height);
    const { canvas, toBlob } = canvasOf(width, height);
    const ctx = canvas.getContext('2d');
    // JPEG has no alpha: paint white first so transparent PNG areas don't turn black.
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, width, height);
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(bitmap, 0, 0, width, height);
    const blob = await toBlob('image/jpeg', JPEG_QUALITY);
    // Hash the very bytes we store and upload, so the server's check (hash_mismatch) passes.
    const bytes = await blob.arrayBuffer();
    const type = 'image/jpeg';
    return { blob: new Blob([bytes], { type }), sha256: await sha256Hex(bytes), type, size: bytes.byteLength };
  } finally {
    bitmap.close?.();
  }
}

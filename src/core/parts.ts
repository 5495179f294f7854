// Ciphertext cut into upload parts (at most LIMITS.maxPartBytes, src/core/wire.ts): one loop for the
// page's streaming upload (client/upload/stream-upload.ts) and the server's sealing without JavaScript
// (src/server/nojs/seal.ts).

/**
 * Copies what `reader` gives into parts of `first.length` bytes. `onPart` gets each full part (a view of
 * its buffer) and returns the buffer to fill next, or nothing to fill the same one again (its bytes must
 * be safe by then); the last, shorter part is handed on the same way (`last`), if there is one.
 */
export async function cutIntoParts<B extends Uint8Array>(reader: ReadableStreamDefaultReader<Uint8Array>, first: B, onPart: (bytes: Uint8Array, buffer: B, last: boolean) => Promise<B | void>): Promise<void> {
  let part = first;
  let filled = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    for (let chunk = value; chunk.length > 0; ) {
      const n = Math.min(chunk.length, part.length - filled);
      part.set(chunk.subarray(0, n), filled);
      filled += n;
      chunk = chunk.subarray(n);
      if (filled === part.length) {
        part = (await onPart(part, part, false)) ?? part;
        filled = 0;
      }
    }
  }
  if (filled > 0) await onPart(part.subarray(0, filled), part, true);
}

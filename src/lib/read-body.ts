export const MAX_CALLBACK_BYTES = 64 * 1024;

export class BodyTooLargeError extends Error {}

const decoder = new TextDecoder();

/**
 * Reads at most `limit` bytes and throws BodyTooLargeError past that, without trusting
 * Content-Length and without buffering an oversized body.
 */
export async function readBodyText(request: Request, limit: number): Promise<string> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) throw new BodyTooLargeError();
  if (request.body === null) return "";
  // A declared length within the limit frames the body (HTTP/1.1 and h2 alike), so it can be
  // read in one go; the length is still checked, as an in-process Request is not framed.
  if (declared !== null && /^\d+$/.test(declared)) {
    const bytes = await request.arrayBuffer();
    if (bytes.byteLength > limit) throw new BodyTooLargeError();
    return decoder.decode(bytes);
  }
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new BodyTooLargeError();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return decoder.decode(bytes);
}

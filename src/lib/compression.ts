// Bytes through a CompressionStream or DecompressionStream (UserSig tickets, watch tokens).
// Node loads this file too (the Tencent stand-in, through src/tencent/rest/).
import { readChunks } from "./read-body.ts";

/** The stream's output, at most `limit` bytes of it: past that (a zip bomb) it throws. */
export function throughStream(
  bytes: Uint8Array,
  stream: CompressionStream | DecompressionStream,
  limit = Number.POSITIVE_INFINITY,
): Promise<Uint8Array> {
  const writer = stream.writable.getWriter();
  // Errors surface on the read side; the write side's promises must not reject unobserved.
  writer.write(bytes).catch(() => undefined);
  writer.close().catch(() => undefined);
  return readChunks(stream.readable, limit);
}

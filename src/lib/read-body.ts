// The one body reader of every route that takes a body (the callback, the batch query, watch
// tokens, reconcile, Tencent's query). readBody never throws: a body that is too large, cannot
// be read, or is not UTF-8 is a result the route turns into its own envelope.
// Node also loads this file (the Tencent stand-in, through src/tencent/rest/), with type
// stripping: erasable TypeScript only (no parameter properties, no enums).
export type BodyProblem = "too_large" | "unreadable" | "not_utf8";

export type BodyRead =
  { readonly ok: true; readonly text: string } | { readonly ok: false; readonly problem: BodyProblem };

/** What went wrong, for the `body: …` message of a 400 (too_large has its own 413 message). */
export const BODY_PROBLEMS: Readonly<Record<Exclude<BodyProblem, "too_large">, string>> = {
  unreadable:
    "body: could not be read (shorter than its Content-Length, a malformed chunk, or an aborted upload); send it again",
  not_utf8: "body: not well-formed UTF-8 (invalid bytes, an overlong form or an encoded surrogate)",
};

// fatal: two different byte strings must never decode to one text (a replacement character
// would make `x\xff` and `x\xfe` the same account). Overlong forms and encoded surrogates
// are invalid UTF-8 too, and the decoder rejects them.
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

const TOO_LARGE: BodyRead = { ok: false, problem: "too_large" };
const UNREADABLE: BodyRead = { ok: false, problem: "unreadable" };

/**
 * Reads at most `limit` bytes, without trusting Content-Length and without buffering an
 * oversized body, and decodes them strictly. Not async itself: a framed body (the callback's
 * every request) is one read and one decode, with no promise of its own on the way.
 */
export function readBody(request: Request, limit: number): Promise<BodyRead> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) return Promise.resolve(TOO_LARGE);
  if (declared !== null && /^\d+$/.test(declared)) {
    // A declared length within the limit frames the body (HTTP/1.1 and h2 alike), so it can be
    // read in one go; the length is still checked, as an in-process Request is not framed.
    return request.arrayBuffer().then(
      (buffer) => decoded(new Uint8Array(buffer), limit),
      () => UNREADABLE,
    );
  }
  return readUnframed(request, limit);
}

async function readUnframed(request: Request, limit: number): Promise<BodyRead> {
  if (request.body === null) return { ok: true, text: "" };
  try {
    return decoded(await readChunks(request.body, limit), limit);
  } catch (error) {
    return error instanceof BodyTooLarge ? TOO_LARGE : UNREADABLE;
  }
}

function decoded(bytes: Uint8Array, limit: number): BodyRead {
  if (bytes.byteLength > limit) return TOO_LARGE;
  try {
    return { ok: true, text: decoder.decode(bytes) };
  } catch {
    return { ok: false, problem: "not_utf8" };
  }
}

export class BodyTooLarge extends Error {}

/**
 * Reads a byte stream whole, at most `limit` bytes: past that it cancels the stream and throws
 * BodyTooLarge, without buffering the rest. A chunk that is not bytes is a broken stream.
 */
export async function readChunks(body: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    // A request body is a byte stream; anything else is a broken upload, not a body.
    if (!(value instanceof Uint8Array)) throw new TypeError("body chunk is not bytes");
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw new BodyTooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

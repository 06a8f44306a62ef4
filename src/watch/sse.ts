// Server-Sent Events framing (WHATWG HTML, "Server-sent events"): each watch message becomes
// one event whose name is the message type and whose data is the message's JSON, on one line
// (JSON text never holds a raw line break). No `id:` lines: there is no replay, so a
// reconnecting client starts again with fresh snapshots.
import { messageType } from "./messages";

const encoder = new TextEncoder();

export const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-store",
  // Tells proxies that buffer responses (nginx and the like) to pass events through at once.
  "x-accel-buffering": "no",
} as const;

/** How often a comment line keeps idle intermediaries from closing the stream. */
export const KEEPALIVE_MS = 25_000;

export function sseFrame(message: string): Uint8Array {
  return encoder.encode(`event: ${messageType(message)}\ndata: ${message}\n\n`);
}

export function sseComment(text: string): Uint8Array {
  return encoder.encode(`: ${text.replace(/[\r\n]+/g, " ")}\n\n`);
}

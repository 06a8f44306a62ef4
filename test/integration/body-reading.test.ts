// Every route that reads a body (the callback, the batch query, watch tokens, reconcile) decodes it as strict
// UTF-8 and answers a body it cannot read with a 400 in its own envelope, never a 500.
import { env, exports } from "cloudflare:workers";
import worker from "../../src/index";
import { describe, expect, it } from "vitest";
import { apiFetch } from "../support/api";
import { TEST_API_TOKEN, TEST_APP } from "../support/bindings";
import { callbackUrl } from "../support/callback";
import { storedTables, uniqueAccount } from "../support/storage";
import { injectedFault } from "../support/expected-output";

const QUERY_PATH = `/v1/apps/${TEST_APP}/presence/query`;
const TOKENS_PATH = `/v1/apps/${TEST_APP}/watch-tokens`;
const RECONCILE_PATH = `/v1/apps/${TEST_APP}/reconcile`;
const bytes = (...parts: (string | number[])[]) =>
  new Uint8Array(parts.flatMap((p) => (typeof p === "string" ? [...new TextEncoder().encode(p)] : p)));

/** A callback body whose To_Account is `account` followed by the raw `tail` bytes. */
const callbackBytes = (account: string, tail: number[]) =>
  bytes(`{"EventTime":${Date.now() - 1000},"Info":{"Action":"Login","To_Account":"${account}`, tail, `"}}`);

// Each of these is invalid UTF-8 that a lenient decoder turns into U+FFFD (or a character).
const INVALID: [string, number[]][] = [
  ["an invalid byte 0xFF", [0xff]],
  ["an invalid byte 0xFE", [0xfe]],
  ["a lone continuation byte", [0x80]],
  ["a truncated sequence", [0xe2, 0x82]],
  ["an overlong '/' (C0 AF)", [0xc0, 0xaf]],
  ["an overlong 3-byte NUL (E0 80 80)", [0xe0, 0x80, 0x80]],
  ["an encoded high surrogate (ED A0 80)", [0xed, 0xa0, 0x80]],
  ["an encoded low surrogate (ED BF BF)", [0xed, 0xbf, 0xbf]],
  ["a code point above U+10FFFF (F4 90 80 80)", [0xf4, 0x90, 0x80, 0x80]],
];

async function tencentFail(res: Response, status: number): Promise<string> {
  expect(res.status).toBe(status);
  const body = (await res.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ ActionStatus: "FAIL", ErrorCode: 1 });
  return String(body.ErrorInfo);
}

async function apiFail(res: Response, status: number): Promise<string> {
  expect(res.status).toBe(status);
  const body = (await res.json()) as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(["error", "message"]);
  return String(body.message);
}

/** A stream that sends `first` and then fails, as an aborted upload does. */
const abortedUpload = (first: Uint8Array) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(first);
    },
    pull(controller) {
      controller.error(injectedFault("connection reset"));
    },
  });

/** A body framed by a length it never reaches, as a connection closed early delivers it. */
function shortOfItsLength(body: Uint8Array, declared: number): ReadableStream<Uint8Array> {
  const { readable, writable } = new FixedLengthStream(declared);
  const writer = writable.getWriter();
  void writer
    .write(body)
    .then(() => writer.close())
    .catch(() => undefined);
  return readable;
}

/** A stream whose chunk is not bytes. */
const notBytes = () =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue("not bytes" as unknown as Uint8Array);
      controller.close();
    },
  });

// The loopback (exports.default) re-frames a failing stream as a clean end, so these requests
// go to the Worker's fetch handler in this isolate, where the stream fails as it would on a
// dropped connection.
const direct = (url: string, init: RequestInit) =>
  worker.fetch(new Request(url, init) as Parameters<typeof worker.fetch>[0], env);

describe("strict UTF-8 bodies", () => {
  it.each(INVALID)("the callback refuses %s with a 400 naming UTF-8, and stores nothing", async (_name, tail) => {
    const account = uniqueAccount("utf8");
    const res = await exports.default.fetch(await callbackUrl(), {
      method: "POST",
      body: callbackBytes(account, tail),
    });
    expect(await tencentFail(res, 400)).toMatch(/^body: .*UTF-8/);
    expect(await storedTables(account)).toEqual([]);
    expect(await storedTables(`${account}\ufffd`)).toEqual([]);
  });

  it("two different invalid byte strings never alias one account", async () => {
    const account = uniqueAccount("alias");
    for (const tail of [[0xff], [0xfe]]) {
      const res = await exports.default.fetch(await callbackUrl(), {
        method: "POST",
        body: callbackBytes(account, tail),
      });
      expect(res.status).toBe(400);
    }
    expect(await storedTables(`${account}\ufffd`)).toEqual([]);
  });

  it("well-formed multi-byte UTF-8 is accepted", async () => {
    const account = `${uniqueAccount("mb")}-é€😀`;
    const res = await exports.default.fetch(await callbackUrl(), { method: "POST", body: callbackBytes(account, []) });
    expect(res.status).toBe(200);
    expect(await storedTables(account)).not.toEqual([]);
  });

  it.each(INVALID)("the batch query refuses %s with a 400 naming UTF-8", async (_name, tail) => {
    const res = await apiFetch(QUERY_PATH, { method: "POST", body: bytes('{"accounts":["a', tail, '"]}') });
    expect(await apiFail(res, 400)).toMatch(/^body: .*UTF-8/);
  });

  it.each(INVALID)("the reconcile endpoint refuses %s with a 400 naming UTF-8", async (_name, tail) => {
    const res = await apiFetch(RECONCILE_PATH, { method: "POST", body: bytes('{"accounts":["a', tail, '"]}') });
    expect(await apiFail(res, 400)).toMatch(/^body: .*UTF-8/);
  });

  it.each(INVALID)("the watch-token endpoint refuses %s with a 400 naming UTF-8", async (_name, tail) => {
    const res = await apiFetch(TOKENS_PATH, { method: "POST", body: bytes('{"accounts":["a', tail, '"]}') });
    expect(await apiFail(res, 400)).toMatch(/^body: .*UTF-8/);
  });
});

describe("a body that cannot be read is a 400, never an uncaught exception", () => {
  const callbackBody = () => callbackBytes(uniqueAccount("cut"), []);
  const query = `https://presence.test${QUERY_PATH}`;
  const auth = { authorization: `Bearer ${TEST_API_TOKEN}` };
  const cases: [string, () => { body: ReadableStream<Uint8Array>; headers?: Record<string, string> }][] = [
    ["an aborted upload", () => ({ body: abortedUpload(callbackBody().slice(0, 10)) })],
    [
      "a body shorter than its Content-Length",
      () => ({ body: shortOfItsLength(callbackBody(), 4096), headers: { "content-length": "4096" } }),
    ],
    ["a chunk that is not bytes", () => ({ body: notBytes() })],
  ];

  it.each(cases)("the callback: %s", async (_name, make) => {
    const { body, headers } = make();
    const res = await direct(await callbackUrl(), { method: "POST", body, headers });
    expect(await tencentFail(res, 400)).toMatch(/^body: could not be read/);
  });

  it.each(cases)("the batch query: %s", async (_name, make) => {
    const { body, headers } = make();
    const res = await direct(query, { method: "POST", body, headers: { ...auth, ...headers } });
    expect(await apiFail(res, 400)).toMatch(/^body: could not be read/);
  });

  it.each(cases)("the reconcile endpoint: %s", async (_name, make) => {
    const { body, headers } = make();
    const res = await direct(`https://presence.test${RECONCILE_PATH}`, {
      method: "POST",
      body,
      headers: { ...auth, ...headers },
    });
    expect(await apiFail(res, 400)).toMatch(/^body: could not be read/);
  });

  it.each(cases)("the watch-token endpoint: %s", async (_name, make) => {
    const { body, headers } = make();
    const res = await direct(`https://presence.test${TOKENS_PATH}`, {
      method: "POST",
      body,
      headers: { ...auth, ...headers },
    });
    expect(await apiFail(res, 400)).toMatch(/^body: could not be read/);
  });
});

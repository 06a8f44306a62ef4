// The watch protocol's pure parts: client message parsing, subscription plans, SSE framing.
import { describe, expect, it } from "vitest";
import type { AccountId } from "../../src/presence/types";
import {
  countsMessage,
  errorMessage,
  eventMessage,
  messageType,
  parseClientMessage,
  snapshotMessage,
} from "../../src/watch/messages";
import { sseComment, sseFrame } from "../../src/watch/sse";
import { planSubscribe, planUnsubscribe } from "../../src/watch/subscriptions";

const ids = (...a: string[]) => a as AccountId[];
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe("client messages", () => {
  it("parses subscribe and unsubscribe, ignoring unknown fields", () => {
    expect(parseClientMessage('{"type":"subscribe","accounts":["a","b"],"id":1}')).toEqual({
      ok: true,
      message: { type: "subscribe", accounts: ["a", "b"], counts: false },
    });
    expect(parseClientMessage('{"type":"unsubscribe","accounts":["a"]}')).toMatchObject({ ok: true });
  });

  it("parses the app's counts, alone or with accounts; a message naming nothing is refused with the fix", () => {
    expect(parseClientMessage('{"type":"subscribe","counts":true}')).toEqual({
      ok: true,
      message: { type: "subscribe", accounts: [], counts: true },
    });
    expect(parseClientMessage('{"type":"unsubscribe","counts":true,"accounts":["a"]}')).toEqual({
      ok: true,
      message: { type: "unsubscribe", accounts: ["a"], counts: true },
    });
    expect(parseClientMessage('{"type":"subscribe","counts":1}')).toEqual({
      ok: false,
      error: "counts: must be true (leave it out to leave the counts as they are)",
    });
    for (const nothing of ['{"type":"subscribe"}', '{"type":"unsubscribe","id":1}']) {
      const parsed = parseClientMessage(nothing);
      expect(parsed.ok).toBe(false);
      expect(!parsed.ok && parsed.error).toMatch(/"accounts":\["alice",…\], "counts":true, or both/);
    }
    expect(parseClientMessage('{"type":"subscribe","counts":true,"accounts":[]}')).toEqual({
      ok: false,
      error: "accounts: must hold at least one account",
    });
  });
});

describe("subscription plans", () => {
  it("adds new accounts, resends snapshots for all, and refuses past 1 000 or outside the scope", () => {
    const plan = planSubscribe(new Set(ids("a")), null, ids("a", "b", "b"));
    expect(plan).toEqual({ ok: true, next: new Set(["a", "b"]), added: ["b"], snapshots: ["a", "b"] });
    const full = new Set(ids(...Array.from({ length: 1000 }, (_, i) => `u${i}`)));
    expect(planSubscribe(full, null, ids("u1"))).toMatchObject({ ok: true, added: [] });
    expect(planSubscribe(full, null, ids("new"))).toMatchObject({ ok: false, error: "too_many_accounts" });
    expect(planSubscribe(new Set(), new Set(ids("a")), ids("a", "z"))).toMatchObject({
      ok: false,
      error: "forbidden",
      message: expect.stringMatching(/^accounts\.1: /),
    });
  });

  it("unsubscribes what was watched and ignores the rest", () => {
    expect(planUnsubscribe(new Set(ids("a", "b")), ids("b", "c", "b"))).toEqual({
      next: new Set(["a"]),
      removed: ["b"],
    });
  });
});

describe("server messages and SSE framing", () => {
  it("wraps JSON text without re-serialising it, and names SSE events by type", () => {
    const body = '{"type":"user.status_changed","timestamp":"x","data":{"seq":1}}';
    expect(JSON.parse(eventMessage(body)).event).toEqual(JSON.parse(body));
    expect(eventMessage(body)).toContain(body);
    expect(messageType(snapshotMessage("{}"))).toBe("snapshot");
    expect(messageType(errorMessage("bad_message", "x"))).toBe("error");
    expect(messageType(countsMessage({ online: 1 }))).toBe("counts");
    expect(text(sseFrame(eventMessage(body)))).toBe(`event: event\ndata: ${eventMessage(body)}\n\n`);
    const withBreak = errorMessage("bad_message", "line\nbreak");
    expect(text(sseFrame(withBreak)).split("\n")).toHaveLength(4); // JSON escapes the break: one data line
    expect(text(sseComment("a\nb"))).toBe(": a b\n\n");
  });
});

// Per-account order on one connection: snapshot first, then newer changes once, in seq order.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Sequencer } from "../../src/watch/sequencer";

const change = (seq: number) => ({ seq, messages: [`e${seq}a`, `e${seq}b`] });

describe("Sequencer", () => {
  it("passes changes through in order and drops one older than what was sent", () => {
    const s = new Sequencer();
    expect(s.offer("a", change(1))).toEqual(["e1a", "e1b"]);
    expect(s.offer("a", change(3))).toEqual(["e3a", "e3b"]);
    expect(s.offer("a", change(2))).toEqual([]);
    expect(s.offer("a", change(3))).toEqual([]);
    expect(s.offer("b", change(1))).toEqual(["e1a", "e1b"]);
  });

  it("holds changes while a snapshot is on its way, then sends those newer than it, sorted", () => {
    const s = new Sequencer();
    s.begin("a");
    expect(s.offer("a", change(7))).toEqual([]);
    expect(s.offer("a", change(5))).toEqual([]);
    expect(s.offer("a", change(6))).toEqual([]);
    expect(s.snapshot("a", 5, "snap5")).toEqual(["snap5", "e6a", "e6b", "e7a", "e7b"]);
    expect(s.offer("a", change(7))).toEqual([]);
    expect(s.offer("a", change(8))).toEqual(["e8a", "e8b"]);
  });

  it("a resync resets the account to the new snapshot; abandon and forget release it", () => {
    const s = new Sequencer();
    s.offer("a", change(4));
    s.begin("a");
    expect(s.snapshot("a", 9, "snap9")).toEqual(["snap9"]);
    expect(s.offer("a", change(9))).toEqual([]);
    s.begin("a");
    s.abandon("a");
    expect(s.offer("a", change(2))).toEqual(["e2a", "e2b"]);
    s.forget("a");
    expect(s.offer("a", change(1))).toEqual(["e1a", "e1b"]);
  });

  it("whatever the arrival order around a snapshot, the client gets it first, then each newer change once, ascending", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 30 }), { maxLength: 15 }),
        fc.integer({ min: 0, max: 30 }),
        fc.nat(),
        (seqs, at, split) => {
          const s = new Sequencer();
          s.begin("a");
          const cut = split % (seqs.length + 1);
          const out: string[] = [];
          for (const seq of seqs.slice(0, cut)) out.push(...s.offer("a", { seq, messages: [String(seq)] }));
          out.push(...s.snapshot("a", at, "snap"));
          for (const seq of seqs.slice(cut)) out.push(...s.offer("a", { seq, messages: [String(seq)] }));
          expect(out[0]).toBe("snap");
          const sent = out.slice(1).map(Number);
          expect(sent.every((seq) => seq > at)).toBe(true);
          expect(new Set(sent).size).toBe(sent.length);
          expect(sent).toEqual([...sent].sort((x, y) => x - y));
        },
      ),
      { numRuns: 500 },
    );
  });
});

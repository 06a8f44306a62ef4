// Waiting out a workerd's evictions before a phase. Local workerd evicts a Durable Object about
// 10 s after its last request, and evicting costs CPU: 2 000 objects took presence-edge's workerd
// about 420 ms and the one-hop ceiling's about 340 ms, in a burst 9-10 s after the load stopped
// (2026-12-07). A target that sits a phase out (or a population that the next phase leaves idle,
// as first touch does) would spend that burst in the middle of the next phase: in its own rounds
// (every full run measured presence-edge's first two first-touch rounds at 8 connections at
// 2.0-2.6 CPU ms a callback against 1.1-1.2 in the rounds after) or in another target's, as other
// load. So the bench waits for those evictions before the phase starts, and every target starts
// it in the same state. Polling a resource of the processes, not synchronising a test: eviction
// has no signal.

import { liveObjects } from "./proc.ts";
import { log } from "./settings.ts";

/** Live objects a workerd may keep and count as settled (the index's 16 shards and totals, and slack). */
const SETTLED_OBJECTS = 40;
/** The longest wait: about three times local workerd's idle timeout. */
const SETTLE_WAIT_MS = 30_000;
const POLL_MS = 250;

export interface Settling {
  readonly label: string;
  readonly pid: number | null;
  /** Files the workerd had open before it held any object. */
  readonly baseFiles: number | null;
}

const settled = (s: Settling): boolean => (liveObjects(s.pid, s.baseFiles) ?? 0) <= SETTLED_OBJECTS;

/** Waits until each target's idle objects are evicted (at most SETTLE_WAIT_MS), and logs how long it took. */
export async function waitForEvictions(targets: readonly Settling[], why: string): Promise<void> {
  const start = Date.now();
  let waiting = targets.filter((t) => !settled(t));
  if (waiting.length === 0) return;
  const labels = waiting.map((t) => t.label).join(", ");
  while (waiting.length > 0 && Date.now() - start < SETTLE_WAIT_MS) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    waiting = waiting.filter((t) => !settled(t));
  }
  const ms = Date.now() - start;
  log(
    `  settle before ${why}: ${(ms / 1000).toFixed(1)} s until the idle objects of ${labels} were evicted` +
      (waiting.length ? ` (not all: ${waiting.map((t) => t.label).join(", ")} still hold objects)` : ""),
  );
}

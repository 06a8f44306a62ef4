// One clock for a test: the Worker's and the Durable Object's (they share the isolate's Date).
// Fixing it makes every time a test compares exact, whatever the machine's speed.
import { vi } from "vitest";

/**
 * Moves this isolate's clock to `at`. Only Date is faked; callbacks sent afterwards are signed
 * and checked against the same clock. Tests restore it with vi.useRealTimers() in afterEach.
 */
export function setClock(at: number): void {
  if (!vi.isFakeTimers()) vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(at);
}

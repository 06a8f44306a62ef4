// The Worker logs refusals and errors; tests that provoke them on purpose keep those lines
// out of the output, so that an unexpected one stands out.
import { vi } from "vitest";

/** Drops every console.log line of this file (thousands of refusals only slow the fuzz suites). */
export function silenceLogs(): void {
  vi.spyOn(console, "log").mockImplementation(() => {});
}

/** Collects console.log lines instead of printing them. */
export function captureLogs(): string[] {
  const lines: string[] = [];
  vi.spyOn(console, "log").mockImplementation((line: unknown) => void lines.push(String(line)));
  return lines;
}

// Phases for features that arrive on their own branches: the Tencent-compatible batch query,
// reconciliation against the local Tencent stand-in, and live watch. Each one measures only
// when the Worker under test has the feature (it asks first) and says so otherwise.

import type { Profile } from "../lib/settings.ts";
import type { BuildInfo } from "../lib/targets.ts";
import type { Check } from "../report/checks.ts";

export interface ExtraFigures {
  /** Why the phase was not measured (the feature is not in this build), or null. */
  skipped: string | null;
  /** What went wrong in a phase that should have worked (fails the smoke run). */
  problem?: string | null;
  [figure: string]: unknown;
}

export async function runExtras(
  _profile: Profile,
  _build: BuildInfo,
): Promise<{ figures: Record<string, ExtraFigures>; checks: Check[] }> {
  return { figures: {}, checks: [] };
}

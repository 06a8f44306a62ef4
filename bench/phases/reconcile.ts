// Reconciliation (docs/RECONCILE.md) against the local Tencent stand-in: filled in when the
// reconcile branch lands.

import type { Profile } from "../lib/settings.ts";
import type { BuildInfo } from "../lib/targets.ts";
import type { ExtraFigures } from "./extras.ts";

export async function runReconcile(_profile: Profile, _build: BuildInfo, _users: number): Promise<ExtraFigures> {
  return { skipped: "this build has no reconciliation yet" };
}

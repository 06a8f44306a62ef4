// Phases for features that arrive on their own branches: the Tencent-compatible batch query,
// reconciliation against the local Tencent stand-in, live watch and who is online. Each one measures only
// when the Worker under test has the feature (it asks first) and says so otherwise.

import { fmt } from "../lib/format.ts";
import { log, type Profile } from "../lib/settings.ts";
import type { BuildInfo } from "../lib/build.ts";
import { TARGETS, onlineChecks, type Check } from "../report/checks.ts";
import { runOnline } from "./online.ts";
import { runReconcile } from "./reconcile.ts";
import { runTencentQuery } from "./tencent-query.ts";
import { runWatch } from "./watch.ts";
import type { ExtraFigures } from "./extra-figures.ts";

async function guarded(name: string, run: () => Promise<ExtraFigures>): Promise<ExtraFigures> {
  try {
    const fig = await run();
    if (fig.skipped) log(`  ${name}: not measured: ${fig.skipped}`);
    return fig;
  } catch (e) {
    return { skipped: null, problem: `${name} failed: ${(e as Error).stack ?? e}` };
  }
}

export async function runExtras(
  profile: Profile,
  build: BuildInfo,
): Promise<{ figures: Record<string, ExtraFigures>; checks: Check[] }> {
  const figures: Record<string, ExtraFigures> = {};
  const checks: Check[] = [];
  const { tencentQuery, reconcile, watch, online } = profile.extras;
  if (tencentQuery)
    figures.tencentQuery = await guarded("Tencent-compatible query", () => runTencentQuery(profile, build));
  if (reconcile) figures.reconcile = await guarded("reconcile", () => runReconcile(profile, build, reconcile.users));
  if (watch) {
    const fig = (figures.watch = await guarded("watch", () => runWatch(profile, build, watch.watchers)));
    const p50 = (fig.latency as { p50?: number | null } | undefined)?.p50 ?? null;
    if (!fig.skipped) {
      checks.push({
        name: `watch: callback → watcher message p50, ${watch.watchers} watchers`,
        target: `<= ${TARGETS.watchP50Ms} ms`,
        measured: p50 === null ? "n/a" : `${fmt(p50, 1)} ms`,
        pass: p50 === null ? null : p50 <= TARGETS.watchP50Ms,
      });
    }
  }
  if (online) {
    const fig = (figures.online = await guarded("who is online", () => runOnline(profile, build, online)));
    if (!fig.skipped) checks.push(...onlineChecks(fig as Parameters<typeof onlineChecks>[0]));
  }
  return { figures, checks };
}

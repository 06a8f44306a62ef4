// What makes a run fail whatever its figures: a target that never answered, a phase without a
// single good reply or with error statuses, row counters that could not be read, a history that
// does not show the outcomes the phases were named after, webhooks that never arrived. This is
// what `npm run bench:smoke` checks in CI, and why it can run on a busy machine.

import type { Phase } from "../lib/phase.ts";
import type { TargetFigures } from "../phases/ingest.ts";
import type { WebhookFigures } from "../phases/webhooks.ts";

interface Results {
  runs: Record<string, TargetFigures>;
  webhook: WebhookFigures | null;
  extras: Record<string, { problem?: string | null } | undefined>;
}

export function machineryProblems(r: Results): string[] {
  const problems: string[] = [];
  for (const [name, run] of Object.entries(r.runs)) {
    if (!run.ready) {
      problems.push(`${name}: ${run.notes.join("; ") || "not ready"}`);
      continue;
    }
    for (const [key, p] of Object.entries(run.phases) as [string, Phase][]) {
      if (p.ok === 0) problems.push(`${name} ${key}: no successful reply out of ${p.requests}`);
      else if (p.non2xx > 0)
        problems.push(`${name} ${key}: ${p.non2xx} error replies ${JSON.stringify(p.statusCodes)}`);
    }
    if (run.role === "presence-edge") {
      for (const p of run.probes ?? []) {
        if (p.rowsWritten === null) problems.push(`${name}: rows of "${p.kind}" callbacks could not be counted`);
      }
      if (!run.historyCheck?.startsWith("ok"))
        problems.push(`${name}: history check: ${run.historyCheck ?? "not run"}`);
    }
  }
  if (r.runs["presence-edge/tmpfs"]?.ready) {
    if (!r.webhook || r.webhook.received === 0 || r.webhook.p50 === null) {
      problems.push(`webhooks: ${r.webhook?.note ?? "not run"}`);
    }
  }
  for (const [name, e] of Object.entries(r.extras)) if (e?.problem) problems.push(`${name}: ${e.problem}`);
  return problems;
}

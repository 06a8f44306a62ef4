// RETENTION_DAYS: a user inactive that long is erased by its own alarm. Pending webhook
// deliveries hold the erasure back, so a user's last events still go out.

export type RetentionStep =
  | { readonly kind: "erase" }
  | { readonly kind: "wait"; readonly until: number }
  /** Past due but held back by deliveries: the next delivery run checks again. */
  | { readonly kind: "held" };

export function retentionStep(
  lastActivity: number,
  retentionMs: number,
  deliveriesPending: boolean,
  now: number,
): RetentionStep {
  const due = lastActivity + retentionMs;
  if (due > now) return { kind: "wait", until: due } as const;
  return deliveriesPending ? ({ kind: "held" } as const) : ({ kind: "erase" } as const);
}

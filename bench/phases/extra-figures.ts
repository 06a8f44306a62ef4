// What an optional phase (bench/phases/extras.ts runs them) reports: its figures, or why it
// measured nothing. A file of its own, so the phases and their runner do not import each other.
export interface ExtraFigures {
  /** Why the phase was not measured (the feature is not in this build), or null. */
  skipped: string | null;
  /** What went wrong in a phase that should have worked (fails the smoke run). */
  problem?: string | null;
  [figure: string]: unknown;
}

// What the reconciler's calls answer, as data: the Durable Object (src/durable/reconciler.ts)
// returns these, and the API (src/api/post-kick.ts) reads them, so neither side imports the other.
import type { RestFailure } from "../tencent/rest/rest-call";
import type { Applied } from "./apply-answers";

/** A verification: Tencent's answers applied to each user, or why the call failed. */
export type VerifyResult =
  | { readonly ok: true; readonly results: readonly Applied[] }
  | { readonly ok: false; readonly error: string; readonly errorCode: number | null };

/** An operator's kick: Tencent refused it (nothing changed), or it was done and then verified. */
export type KickOutcome =
  | { readonly kicked: false; readonly failure: RestFailure }
  | { readonly kicked: true; readonly verified: VerifyResult };

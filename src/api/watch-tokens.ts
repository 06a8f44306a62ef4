// POST /v1/apps/{app}/watch-tokens {"accounts"?:[…],"counts"?:true,"ttlSeconds"?:n} →
// {"token","expiresAt"}: a signed, stateless credential for GET …/watch?token=, for browsers
// (docs/WATCH.md). `counts` lets it watch the app's counts too (SPEC §12).
import * as z from "zod/mini";
import { ACCOUNT_RULE, validAccount } from "../presence/account";
import type { AccountId } from "../presence/types";
import { MAX_WATCHED } from "../watch/messages";
import { DEFAULT_TTL_SECONDS, MAX_TOKEN_CHARS, MAX_TTL_SECONDS, mintWatchToken } from "../watch/token";
import { bearerToken } from "./auth";
import type { ApiRequest } from "./context";
import { readJsonBody } from "./json-body";
import { apiError } from "./responses";

const MAX_BODY_BYTES = 256 * 1024;

export const watchTokenRequest = z.object({
  accounts: z.optional(
    z
      .array(z.string().check(z.refine(validAccount, ACCOUNT_RULE)))
      .check(
        z.minLength(1, "must hold at least one account (omit it for a token valid for every account)"),
        z.maxLength(MAX_WATCHED, `must hold at most ${MAX_WATCHED} accounts`),
      ),
  ),
  counts: z.optional(z.boolean("must be true or false (true: the token may watch the app's counts)")),
  ttlSeconds: z.optional(
    z
      .int("must be a whole number of seconds")
      .check(
        z.minimum(1, "must be at least 1"),
        z.maximum(MAX_TTL_SECONDS, `must be at most ${MAX_TTL_SECONDS} (24 hours)`),
      ),
  ),
});

export const watchTokenResponse = z.object({ token: z.string(), expiresAt: z.int() });

export async function createWatchToken(request: ApiRequest, _env: Env): Promise<Response> {
  const parsed = await readJsonBody(request, watchTokenRequest, { maxBytes: MAX_BODY_BYTES, empty: {} });
  if (!parsed.ok) return parsed.response;
  const accounts = parsed.data.accounts ? ([...new Set(parsed.data.accounts)] as AccountId[]) : null;
  const expiresAt = Date.now() + (parsed.data.ttlSeconds ?? DEFAULT_TTL_SECONDS) * 1000;
  // withApiContext has checked the bearer token; the watch token is signed with its key.
  const counts = parsed.data.counts ?? false;
  const token = await mintWatchToken(bearerToken(request)!, { app: request.app, expiresAt, accounts, counts });
  if (token.length > MAX_TOKEN_CHARS) {
    return apiError(
      400,
      "bad_request",
      `accounts: too many for one token (${token.length} characters, at most ${MAX_TOKEN_CHARS} to fit in a URL): split them over several tokens, or omit accounts`,
    );
  }
  // Never cached: src/api/router.ts sets no-store on every /v1 answer.
  return Response.json({ token, expiresAt });
}

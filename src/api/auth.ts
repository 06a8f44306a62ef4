import type { Config } from "../config";
import { sha256 } from "../lib/digest";
import { apiError } from "./responses";

/** Returns a 401 response, or null when the request carries one of API_TOKENS. */
export async function requireBearer(request: Request, config: Config): Promise<Response | null> {
  const challenge = { "WWW-Authenticate": 'Bearer realm="presence-edge"' };
  if (config.apiTokens.length === 0) {
    return apiError(401, "unauthorized", "the read API is disabled: API_TOKENS is not set", challenge);
  }
  const bearer = bearerToken(request);
  if (bearer === null) return apiError(401, "unauthorized", "missing bearer token", challenge);
  // Hashing both sides first gives equal-length inputs, so timingSafeEqual never reveals
  // a token's length, and every configured token is compared (no early exit).
  const presented = await sha256(bearer);
  let ok = false;
  for (const token of config.apiTokens) {
    if (crypto.subtle.timingSafeEqual(presented, await sha256(token))) ok = true;
  }
  return ok ? null : apiError(401, "unauthorized", "invalid bearer token", challenge);
}

/** The token of an `Authorization: Bearer …` header, or null without one. */
export function bearerToken(request: Request): string | null {
  return /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "")?.[1] ?? null;
}

// GET /v1/apps/{app}/users/{account}/events?limit=50&before={seq}: history, newest first.
import * as z from "zod/mini";
import { presenceStub } from "../user/stub";
import type { AccountRequest } from "./context";
import { apiError } from "./responses";
import { validate } from "../lib/validation";

export const MAX_EVENTS_PAGE = 1000;

const whole = (max: number) =>
  z
    .pipe(z.string().check(z.regex(/^\d{1,16}$/)), z.transform(Number))
    .check(z.refine((n) => n >= 1 && n <= max, `must be a whole number from 1 to ${max}`));

/** The query string, as validated; also documents the endpoint in openapi.json. */
export const eventsQuery = z.object({
  limit: z._default(whole(MAX_EVENTS_PAGE), 50),
  before: z.optional(whole(Number.MAX_SAFE_INTEGER)),
});

export async function getEvents(request: AccountRequest, env: Env): Promise<Response> {
  const url = new URL(request.url);
  const page = validate(
    eventsQuery,
    {
      limit: url.searchParams.get("limit") ?? undefined,
      before: url.searchParams.get("before") ?? undefined,
    },
    "query",
  );
  if (!page.ok) return apiError(400, "bad_request", page.message);
  const events = await presenceStub(env, request.app, request.account).history(
    page.data.limit,
    page.data.before ?? null,
  );
  return Response.json({ events });
}

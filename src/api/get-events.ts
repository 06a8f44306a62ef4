// GET /v1/apps/{app}/users/{account}/events?limit=50&before={seq}: history, newest first.
import * as z from "zod/mini";
import { presenceStub } from "../user/stub";
import type { AccountRequest } from "./context";
import { apiError } from "./responses";
import { readQuery, wholeParam } from "./query-string";

export const MAX_EVENTS_PAGE = 1000;

/** The query string, as validated; also documents the endpoint in openapi.json. */
export const eventsQuery = z.object({
  limit: z._default(wholeParam(1, MAX_EVENTS_PAGE), 50),
  before: z.optional(wholeParam(1, Number.MAX_SAFE_INTEGER)),
});

export async function getEvents(request: AccountRequest, env: Env): Promise<Response> {
  const page = readQuery(request, eventsQuery);
  if (!page.ok) return apiError(400, "bad_request", page.message);
  const events = await presenceStub(env, request.app, request.account).history(
    page.data.limit,
    page.data.before ?? null,
  );
  return Response.json({ events });
}

// GET /v1/apps/{app}/users/{account}/events?limit=50&before={seq}: history, newest first.
import { z } from "zod";
import type { Env } from "../env";
import { presenceStub } from "../presence-stub";
import type { ApiRequest } from "./context";
import { parseAccount } from "./params";
import { apiError } from "./responses";

export const MAX_EVENTS_PAGE = 1000;

const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_EVENTS_PAGE).default(50),
  before: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
});

export async function getEvents(request: ApiRequest, env: Env): Promise<Response> {
  const account = parseAccount(request.params["account"]);
  if (!account.ok) return account.response;
  const url = new URL(request.url);
  const page = pageQuery.safeParse({
    limit: url.searchParams.get("limit") ?? undefined,
    before: url.searchParams.get("before") ?? undefined,
  });
  if (!page.success) {
    const issue = page.error.issues[0];
    return apiError(400, "bad_request", `${String(issue?.path[0] ?? "query")}: ${issue?.message ?? "invalid"}`);
  }
  const events = await presenceStub(env, request.app, account.value).history(page.data.limit, page.data.before ?? null);
  return Response.json({ events });
}

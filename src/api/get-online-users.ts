// GET /v1/apps/{app}/online/users?status=online|disconnected|any&platform=P&limit=1..1000&cursor=…
// (SPEC §12): a page of the users in the index, walked shard by shard and in account order inside
// a shard (src/online/walk.ts), resumed by an opaque cursor (src/online/cursor.ts). A user in the
// filtered set for the whole walk appears exactly once.
import * as z from "zod/mini";
import { decodeCursor, encodeCursor, STATUS_FILTERS, type Listing } from "../online/cursor";
import { shardStub } from "../online/stubs";
import { walkPage, WALK_START } from "../online/walk";
import { PLATFORMS } from "../presence/types";
import type { ApiRequest } from "./context";
import { indexOff } from "./online-index";
import { readQuery, wholeParam } from "./query-string";
import { apiError } from "./responses";

export const MAX_ONLINE_PAGE = 1000;

/** The query string, as validated; also documents the endpoint in openapi.json. */
export const onlineUsersQuery = z.object({
  status: z._default(z.enum(STATUS_FILTERS, `must be one of ${STATUS_FILTERS.join(", ")}`), "online"),
  platform: z.optional(z.enum(PLATFORMS, `must be one of ${PLATFORMS.join(", ")} (as spelt here)`)),
  limit: z._default(wholeParam(1, MAX_ONLINE_PAGE), 100),
  cursor: z.optional(z.string()),
});

export async function getOnlineUsers(request: ApiRequest, env: Env): Promise<Response> {
  const off = indexOff(request.config);
  if (off !== null) return off;
  const query = readQuery(request, onlineUsersQuery);
  if (!query.ok) return apiError(400, "bad_request", query.message);
  const { status, platform = null, limit, cursor } = query.data;
  const { app } = request;
  const shards = request.config.onlineIndexShards;
  const listing: Listing = { app, shards, status, platform };
  let start = WALK_START;
  if (cursor !== undefined) {
    const check = decodeCursor(cursor, listing);
    if (!check.ok) return apiError(400, "bad_request", check.message);
    start = check.position;
  }
  const page = await walkPage(start, shards, limit, (shard, after, max) =>
    shardStub(env, app, shards, shard).page(status, platform, after, max),
  );
  return Response.json({ users: page.rows, cursor: page.next === null ? null : encodeCursor(listing, page.next) });
}

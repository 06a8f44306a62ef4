// GET /v1/apps/{app}/online/history?from=ms&to=ms&resolution=minute|hour|day (SPEC §12): how many
// users were online over time, one point per bucket (`online` at its end, `peak` and `min` within
// it), from the app's totals object. Defaults: the last 24 hours by minute.
import * as z from "zod/mini";
import { historyRangeProblem, RESOLUTIONS } from "../online/series";
import { totalsStub } from "../online/stubs";
import type { ApiRequest } from "./context";
import { indexOff } from "./online-index";
import { readQuery, wholeParam } from "./query-string";
import { apiError } from "./responses";

const DAY_MS = 86_400_000;
const time = () => wholeParam(0, 8_640_000_000_000_000, "a time in milliseconds since 1970 (UTC)");

/** The query string, as validated; also documents the endpoint in openapi.json. */
export const onlineHistoryQuery = z.object({
  from: z.optional(time()),
  to: z.optional(time()),
  resolution: z._default(z.enum(RESOLUTIONS, `must be one of ${RESOLUTIONS.join(", ")}`), "minute"),
});

export async function getOnlineHistory(request: ApiRequest, env: Env): Promise<Response> {
  const off = indexOff(request.config);
  if (off !== null) return off;
  const query = readQuery(request, onlineHistoryQuery);
  if (!query.ok) return apiError(400, "bad_request", query.message);
  const { resolution } = query.data;
  const to = query.data.to ?? Date.now();
  const from = query.data.from ?? to - DAY_MS;
  const problem = historyRangeProblem(from, to, resolution);
  if (problem !== null) return apiError(400, "bad_request", `from, to: ${problem}`);
  const points = await totalsStub(env, request.app, request.config.onlineIndexShards).history(from, to, resolution);
  return Response.json({ resolution, points });
}

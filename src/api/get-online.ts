// GET /v1/apps/{app}/online: how many users are online and disconnected, and per platform how
// many have it online (SPEC §12). Gathered from the app's ONLINE_INDEX_SHARDS shards at once:
// exact as of the answer, and no object is written per event to keep an app-wide count.
import { onlineAnswer, sumCounts } from "../online/counts";
import { shardStub } from "../online/stubs";
import type { ApiRequest } from "./context";
import { indexOff } from "./online-index";

export async function getOnline(request: ApiRequest, env: Env): Promise<Response> {
  const off = indexOff(request.config);
  if (off !== null) return off;
  const { app } = request;
  const shards = request.config.onlineIndexShards;
  const parts = await Promise.all(Array.from({ length: shards }, (_, i) => shardStub(env, app, shards, i).counts()));
  return Response.json(onlineAnswer(app, sumCounts(parts.map((p) => p.counts)), Date.now()));
}

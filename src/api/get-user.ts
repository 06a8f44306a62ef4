// GET /v1/apps/{app}/users/{account}: one user's snapshot; never-seen users are "unknown".
import type { Env } from "../env";
import { presenceStub } from "../presence-stub";
import type { ApiRequest } from "./context";
import { parseAccount } from "./params";

export async function getUser(request: ApiRequest, env: Env): Promise<Response> {
  const account = parseAccount(request.params["account"]);
  if (!account.ok) return account.response;
  const json = await presenceStub(env, request.app, account.value).snapshotJson(request.app, account.value);
  return new Response(json, { headers: { "content-type": "application/json" } });
}

// GET /v1/apps/{app}/users/{account}: one user's snapshot; never-seen users are "unknown".
import { presenceStub } from "../user/stub";
import type { AccountRequest } from "./context";

export async function getUser(request: AccountRequest, env: Env): Promise<Response> {
  const json = await presenceStub(env, request.app, request.account).snapshotJson(request.app, request.account);
  return new Response(json, { headers: { "content-type": "application/json" } });
}

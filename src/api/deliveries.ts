// GET  /v1/apps/{app}/users/{account}/deliveries: pending and dead-lettered webhook deliveries.
// POST /v1/apps/{app}/users/{account}/deliveries/redeliver: requeues the dead letters.
import type { Env } from "../env";
import { presenceStub } from "../presence-stub";
import type { ApiRequest } from "./context";
import { parseAccount } from "./params";

export async function getDeliveries(request: ApiRequest, env: Env): Promise<Response> {
  const account = parseAccount(request.params["account"]);
  if (!account.ok) return account.response;
  const deliveries = await presenceStub(env, request.app, account.value).deliveries();
  return Response.json({ deliveries });
}

export async function redeliver(request: ApiRequest, env: Env): Promise<Response> {
  const account = parseAccount(request.params["account"]);
  if (!account.ok) return account.response;
  const requeued = await presenceStub(env, request.app, account.value).redeliver();
  return Response.json({ requeued });
}

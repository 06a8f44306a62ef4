// GET  /v1/apps/{app}/users/{account}/deliveries: pending and dead-lettered webhook deliveries.
// POST /v1/apps/{app}/users/{account}/deliveries/redeliver: requeues the dead letters.
import { presenceStub } from "../user/stub";
import type { AccountRequest } from "./context";

export async function getDeliveries(request: AccountRequest, env: Env): Promise<Response> {
  const deliveries = await presenceStub(env, request.app, request.account).deliveries();
  return Response.json({ deliveries });
}

export async function redeliver(request: AccountRequest, env: Env): Promise<Response> {
  const requeued = await presenceStub(env, request.app, request.account).redeliver();
  return Response.json({ requeued });
}

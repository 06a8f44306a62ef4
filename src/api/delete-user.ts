// DELETE /v1/apps/{app}/users/{account}: data-subject erasure of state, history and deliveries.
import type { Env } from "../env";
import { presenceStub } from "../presence-stub";
import type { ApiRequest } from "./context";
import { parseAccount } from "./params";

export async function deleteUser(request: ApiRequest, env: Env): Promise<Response> {
  const account = parseAccount(request.params["account"]);
  if (!account.ok) return account.response;
  await presenceStub(env, request.app, account.value).erase();
  return new Response(null, { status: 204 });
}

// DELETE /v1/apps/{app}/users/{account}: data-subject erasure of state, history and deliveries.
import { presenceStub } from "../user/stub";
import type { AccountRequest } from "./context";

export async function deleteUser(request: AccountRequest, env: Env): Promise<Response> {
  await presenceStub(env, request.app, request.account).erase();
  return new Response(null, { status: 204 });
}

// DELETE /v1/apps/{app}/users/{account}: data-subject erasure of state, history and deliveries,
// and of the user's entry in the who-is-online index. The index entry goes first: when its
// shard cannot be reached the erasure stops before anything is deleted, and the caller repeats
// it (an erasure is safe to repeat).
import { log } from "../lib/log";
import { presenceStub } from "../user/stub";
import type { AccountRequest } from "./context";
import { apiError } from "./responses";

export async function deleteUser(request: AccountRequest, env: Env): Promise<Response> {
  try {
    await presenceStub(env, request.app, request.account).erase();
  } catch (error) {
    log({ msg: "erasure failed", error: String(error) });
    return apiError(
      503,
      "server_error",
      "the user could not be erased now (its who-is-online shard did not answer, or storage failed): " +
        "try again, an erasure is safe to repeat",
      { "Retry-After": "1" },
    );
  }
  return new Response(null, { status: 204 });
}

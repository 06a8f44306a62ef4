import type { AccountId, AppId } from "../presence/types";

/** The Durable Object that holds one user's presence: one per `<SDKAppID>:<UserID>`. */
export function presenceStub(env: Env, app: AppId, account: AccountId) {
  return env.USER_PRESENCE.getByName(`${app}:${account}`);
}

// Middleware shared by every /v1 route: configuration, bearer auth, then the app id.
// Auth comes before the app check, so an unauthenticated caller learns nothing about
// which apps exist.
import type { IRequest } from "itty-router";
import { loadConfig, type Config } from "../config";
import type { AccountId, AppId } from "../presence/types";
import { requireBearer } from "./auth";
import { parseAccount, parseApp } from "./params";

export interface ApiRequest extends IRequest {
  config: Config;
  app: AppId;
}

/** A request to a route under /users/{account}, after withAccount. */
export interface AccountRequest extends ApiRequest {
  account: AccountId;
}

export async function withApiContext(request: IRequest, env: Env): Promise<Response | undefined> {
  const config = loadConfig(env);
  const denied = await requireBearer(request, config);
  if (denied) return denied;
  const app = parseApp(request.params["app"], config);
  if (!app.ok) return app.response;
  Object.assign(request, { config, app: app.value });
  return undefined;
}

/** Decodes and checks the {account} path segment, for the routes that take one. */
export function withAccount(request: IRequest, _env: Env): Response | undefined {
  const account = parseAccount(request.params["account"]);
  if (!account.ok) return account.response;
  Object.assign(request, { account: account.value });
  return undefined;
}

// Middleware shared by every /v1 route: configuration, bearer auth, then the app id.
// Auth comes before the app check, so an unauthenticated caller learns nothing about
// which apps exist.
import type { IRequest } from "itty-router";
import { loadConfig, type Config } from "../config";
import type { Env } from "../env";
import type { AppId } from "../presence/types";
import { requireBearer } from "./auth";
import { parseApp } from "./params";

export interface ApiRequest extends IRequest {
  config: Config;
  app: AppId;
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

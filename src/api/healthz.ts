// GET /healthz, no auth. 200 when the configuration parses; 503 naming the variable when
// it does not, so a misconfigured deploy is visible before any callback arrives. A secret
// key or admin that Tencent rejects (70009 and the like) is a 503 too, without naming the app:
// GET /v1/apps/{app}/reconcile (authenticated) says which.
import { ConfigError, loadConfig } from "../config";
import { misconfigured } from "../reconcile/stats";

export async function healthz(_request: Request, env: Env): Promise<Response> {
  let config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return Response.json({ ok: false, error: error.message }, { status: 503 });
    throw error;
  }
  const reports = await Promise.all([...config.secretKeys.keys()].map((app) => env.RECONCILER.getByName(app).report()));
  const rejected = reports.find(misconfigured);
  if (rejected !== undefined) {
    const code = rejected.lastError?.errorCode;
    return Response.json(
      {
        ok: false,
        error:
          `reconcile: Tencent rejects the configured credentials (ErrorCode ${code}): check IM_SECRET_KEY ` +
          "(or IM_SECRET_KEY_<SDKAppID>) and IM_ADMIN_IDENTIFIER; GET /v1/apps/{app}/reconcile shows which app",
      },
      { status: 503 },
    );
  }
  return Response.json({ ok: true });
}

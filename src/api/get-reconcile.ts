// GET /v1/apps/{app}/reconcile: the app's reconcile stats (calls, accounts verified,
// corrections, errors, last error with Tencent's ErrorCode, last run, queue length).
import type { ApiRequest } from "./context";

export async function getReconcile(request: ApiRequest, env: Env): Promise<Response> {
  const { app, config } = request;
  const report = await env.RECONCILER.getByName(app).report();
  return Response.json({
    enabled: config.secretKeys.has(app),
    staleAfterSeconds: config.reconcileAfterMs === null ? null : config.reconcileAfterMs / 1000,
    maxRps: config.reconcileMaxRps,
    ...report,
  });
}

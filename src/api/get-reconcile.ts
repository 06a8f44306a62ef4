// GET /v1/apps/{app}/reconcile: the app's reconcile stats (calls, accounts verified,
// corrections, errors, last error with Tencent's ErrorCode, last run, queue length).
import * as z from "zod/mini";
import type { ApiRequest } from "./context";

const time = z.nullable(z.number());

/** The answer's shape (for the OpenAPI document; the tests check answers against it). */
export const reconcileStatsResponse = z.object({
  enabled: z.boolean(),
  staleAfterSeconds: z.nullable(z.number()),
  maxRps: z.number(),
  calls: z.number(),
  accountsVerified: z.number(),
  corrections: z.number(),
  errors: z.number(),
  lastError: z.nullable(z.object({ at: z.number(), message: z.string(), errorCode: z.nullable(z.number()) })),
  lastRunAt: time,
  lastOkAt: time,
  queueLength: z.number(),
});

export async function getReconcile(request: ApiRequest, env: Env): Promise<Response> {
  const { app, config } = request;
  const report = await env.RECONCILER.getByName(app).report();
  const body: z.infer<typeof reconcileStatsResponse> = {
    enabled: config.secretKeys.has(app),
    staleAfterSeconds: config.reconcileAfterMs === null ? null : config.reconcileAfterMs / 1000,
    maxRps: config.reconcileMaxRps,
    ...report,
  };
  return Response.json(body);
}

// POST /v1/apps/{app}/reconcile {"accounts":[…]} (1–500): asks Tencent about these users now
// and answers {"results":[{"account","corrected","snapshot"}]} in request order. The call
// goes through the app's reconciler, so it counts against RECONCILE_MAX_RPS like the rest.
import * as z from "zod/mini";
import type { AccountId } from "../presence/types";
import { MAX_QUERY_ACCOUNTS } from "../tencent/rest/query-online-status-wire";
import type { ApiRequest } from "./context";
import { accountList, readJsonBody } from "./json-body";
import { apiError } from "./responses";

const MAX_BODY_BYTES = 256 * 1024;

export const reconcileRequest = z.object({
  accounts: accountList(MAX_QUERY_ACCOUNTS),
});

export async function postReconcile(request: ApiRequest, env: Env): Promise<Response> {
  const parsed = await readJsonBody(request, reconcileRequest, { maxBytes: MAX_BODY_BYTES });
  if (!parsed.ok) return parsed.response;
  const { app, config } = request;
  if (!config.secretKeys.has(app)) {
    return apiError(
      409,
      "not_configured",
      `reconciliation needs the IM app's secret key: set IM_SECRET_KEY or IM_SECRET_KEY_${app}`,
    );
  }
  const accounts = parsed.data.accounts as AccountId[];
  const distinct = [...new Set(accounts)];
  const verified = await env.RECONCILER.getByName(app).verifyNow(app, distinct);
  if (!verified.ok) {
    return Response.json(
      {
        error: "bad_gateway",
        message: `Tencent did not answer: ${verified.error}; nothing was changed, try again later`,
        errorCode: verified.errorCode,
      },
      { status: 502 },
    );
  }
  const byAccount = new Map(verified.results.map((r) => [r.account as string, r]));
  const missing = distinct.find((a) => byAccount.get(a)?.snapshot == null);
  if (missing !== undefined) {
    return apiError(503, "server_error", `could not apply the answer for ${JSON.stringify(missing)}; try again`);
  }
  // Snapshots arrive as JSON text from the user objects: joined, not parsed again.
  const results = accounts.map((account) => {
    const r = byAccount.get(account)!;
    return `{"account":${JSON.stringify(account)},"corrected":${r.corrected},"snapshot":${r.snapshot}}`;
  });
  return new Response(`{"results":[${results.join(",")}]}`, { headers: { "content-type": "application/json" } });
}

// POST /v1/apps/{app}/presence/query {"accounts":[…]}: up to 500 snapshots in request order.
//
// Every distinct account is one Durable Object call, and each call counts against the
// plan's subrequest limit per request. The batch is validated whole before any call is
// made, and any failed call fails the whole answer: never a half-filled result.
import * as z from "zod/mini";
import { presenceStub } from "../user/stub";
import type { AccountId } from "../presence/types";
import type { ApiRequest } from "./context";
import { accountList, readJsonBody } from "./json-body";

export const MAX_BATCH = 500;
const MAX_QUERY_BYTES = 256 * 1024;

/** The request body, as validated; also documents the endpoint in openapi.json. */
export const batchBody = z.object({
  accounts: accountList(MAX_BATCH),
});

export async function queryPresence(request: ApiRequest, env: Env): Promise<Response> {
  const parsed = await readJsonBody(request, batchBody, { maxBytes: MAX_QUERY_BYTES, hint: 'send {"accounts":["…"]}' });
  if (!parsed.ok) return parsed.response;
  const accounts = parsed.data.accounts as AccountId[];
  const distinct = [...new Set(accounts)];
  const { app } = request;
  const snapshots = await Promise.all(
    distinct.map((account) => presenceStub(env, app, account).snapshotJson(app, account)),
  );
  const byAccount = new Map(distinct.map((account, i) => [account, snapshots[i]]));
  // Each snapshot arrives as JSON text: the reply is joined, not parsed and serialised again.
  const reply = `{"results":[${accounts.map((account) => byAccount.get(account)).join(",")}]}`;
  return new Response(reply, { headers: { "content-type": "application/json" } });
}

// POST /v1/apps/{app}/presence/query {"accounts":[…]}: up to 500 snapshots in request order.
//
// Every distinct account is one Durable Object call, and each call counts against the
// plan's subrequest limit per request. The batch is validated whole before any call is
// made, and any failed call fails the whole answer: never a half-filled result.
import * as z from "zod/mini";
import { presenceStub } from "../durable/presence-stub";
import type { AccountId } from "../presence/types";
import { BODY_PROBLEMS, readBody } from "../lib/read-body";
import { ACCOUNT_RULE, validAccount } from "../presence/account";
import type { ApiRequest } from "./context";
import { apiError } from "./responses";
import { validate } from "../lib/validation";

export const MAX_BATCH = 500;
const MAX_QUERY_BYTES = 256 * 1024;

/** The request body, as validated; also documents the endpoint in openapi.json. */
export const batchBody = z.object({
  accounts: z
    .array(z.string().check(z.refine(validAccount, ACCOUNT_RULE)))
    .check(
      z.minLength(1, "must hold at least one account"),
      z.maxLength(MAX_BATCH, `must hold at most ${MAX_BATCH} accounts`),
    ),
});

export async function queryPresence(request: ApiRequest, env: Env): Promise<Response> {
  const read = await readBody(request, MAX_QUERY_BYTES);
  if (!read.ok) {
    if (read.problem === "too_large") {
      return apiError(413, "payload_too_large", `body: larger than ${MAX_QUERY_BYTES} bytes`);
    }
    return apiError(400, "bad_request", BODY_PROBLEMS[read.problem]);
  }
  let body: unknown;
  try {
    body = JSON.parse(read.text);
  } catch {
    return apiError(400, "bad_request", 'body: malformed JSON; send {"accounts":["…"]}');
  }
  const parsed = validate(batchBody, body, "body");
  if (!parsed.ok) return apiError(400, "bad_request", parsed.message);
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

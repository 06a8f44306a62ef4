// The wire shapes of Tencent's `v4/openim/query_online_status`, shared by our REST client
// (reads Tencent's answers), the compatible endpoint (validates requests, writes answers) and
// the local stand-in; what every REST API shares (URL, envelope, ErrorCodes) is in rest-wire.ts.
// Field names and types as Tencent documents them (cloud.tencent.com/document/product/269/2566,
// English trtc.io/document/35477); the table with sources is in docs/TENCENT.md.
import * as z from "zod/mini";
import { ACCOUNT_RULE, validAccount } from "../../presence/account.ts";
import { TENCENT_STATUSES } from "./platforms.ts";
import { restEnvelope } from "./rest-wire.ts";

export const QUERY_ONLINE_STATUS_PATH = "/v4/openim/query_online_status";
/** "一次最多查询500个 UserID 的状态" — at most 500 UserIDs a request. */
export const MAX_QUERY_ACCOUNTS = 500;

const flag = z.optional(z.number().check(z.int()));

/** The request body (unknown fields ignored, as Tencent does). */
export const queryOnlineStatusRequest = z.object({
  To_Account: z
    .array(z.string().check(z.refine(validAccount, ACCOUNT_RULE)))
    .check(
      z.minLength(1, "must hold at least one UserID"),
      z.maxLength(MAX_QUERY_ACCOUNTS, `must hold at most ${MAX_QUERY_ACCOUNTS} UserIDs`),
    ),
  IsNeedDetail: flag,
  IsReturnInstid: flag,
  IsReturnCustomStatus: flag,
});
export type QueryOnlineStatusRequest = z.infer<typeof queryOnlineStatusRequest>;

const tencentStatus = z.enum(TENCENT_STATUSES);

export const platformDetail = z.object({ Platform: z.string(), Status: tencentStatus });

export const queryResult = z.object({
  To_Account: z.string(),
  Status: tencentStatus,
  Detail: z.optional(z.array(platformDetail)),
  CustomStatus: z.optional(z.string()),
});

export const errorListEntry = z.object({ To_Account: z.string(), ErrorCode: z.number() });

/** The reply: QueryResult and ErrorList are present on OK and may be absent on FAIL. */
export const queryOnlineStatusResponse = z.extend(restEnvelope, {
  QueryResult: z.optional(z.array(queryResult)),
  ErrorList: z.optional(z.array(errorListEntry)),
});
export type QueryOnlineStatusResponse = z.infer<typeof queryOnlineStatusResponse>;
export type QueryResult = z.infer<typeof queryResult>;

// The wire shapes of Tencent's `v4/openim/query_online_status`, shared by our REST client
// (reads Tencent's answers), the compatible endpoint (validates requests, writes answers) and
// the local stand-in. Field names and types as Tencent documents them
// (cloud.tencent.com/document/product/269/2566, English trtc.io/document/35477); the table
// with sources is in docs/TENCENT.md.
import * as z from "zod/mini";
import { ACCOUNT_RULE, validAccount } from "../../presence/account.ts";
import { TENCENT_STATUSES } from "./platforms.ts";

export const QUERY_ONLINE_STATUS_PATH = "/v4/openim/query_online_status";
/** "一次最多查询500个 UserID 的状态" — at most 500 UserIDs a request. */
export const MAX_QUERY_ACCOUNTS = 500;

/**
 * Tencent's ErrorCodes used on this API, from the REST error table
 * (cloud.tencent.com/document/product/679/131708) and the API-private codes Tencent lists for
 * its account APIs (e.g. cloud.tencent.com/document/product/269/3853).
 */
export const REST_ERROR = {
  /** HTTP 解析错误: the request could not be read. */
  httpParse: 60002,
  /** HTTP 请求 JSON 解析错误. */
  jsonParse: 60003,
  /** 请求 URL 或 JSON 包体中账号或签名错误: identifier or usersig missing from the URL. */
  accountOrSig: 60004,
  /** 请求需要 App 管理员权限. */
  adminRequired: 60010,
  /** REST 接口需要带 SDKAppID. */
  sdkAppIdMissing: 60012,
  /** 请求包体账号类型错误，请确认账号为字符串格式. */
  accountNotString: 60015,
  /** SDKAppID 不存在. */
  sdkAppIdUnknown: 70020,
  /** 请求的用户账号没有导入即时通信 IM 系统 (per account, in ErrorList). */
  notImported: 70107,
  /** 参数非法. */
  invalidParameter: 70402,
  /** 服务器内部错误，请稍后重试. */
  serverError: 70500,
} as const;

/**
 * The URL's query parameters (names matched case-insensitively). Each missing one has its
 * own ErrorCode, so the server reads them through this schema and says which is missing.
 */
export const queryOnlineStatusQuery = z.object({
  sdkappid: z.string().check(z.regex(/^\d{1,20}$/)),
  identifier: z.string().check(z.minLength(1)),
  usersig: z.string().check(z.minLength(1)),
  random: z.optional(z.string()),
  contenttype: z.optional(z.string()),
});
export const QUERY_PARAMETERS = ["sdkappid", "identifier", "usersig", "random", "contenttype"] as const;

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
export const queryOnlineStatusResponse = z.object({
  ActionStatus: z.enum(["OK", "FAIL"]),
  ErrorInfo: z.optional(z.string()),
  ErrorCode: z.number(),
  QueryResult: z.optional(z.array(queryResult)),
  ErrorList: z.optional(z.array(errorListEntry)),
});
export type QueryOnlineStatusResponse = z.infer<typeof queryOnlineStatusResponse>;
export type QueryResult = z.infer<typeof queryResult>;

/** Tencent's failure envelope: HTTP 200, ActionStatus FAIL, the code and words. */
export function failBody(errorCode: number, errorInfo: string): string {
  return JSON.stringify({ ActionStatus: "FAIL", ErrorInfo: errorInfo, ErrorCode: errorCode });
}

// What every call to Tencent IM's REST API shares on the wire, whichever API it names: the
// URL's query parameters (the App admin and its UserSig), the answer's envelope, the
// ErrorCodes and the failure body. Used by our client (query_online_status, kick), the
// compatible endpoint and the local stand-in. The URL and envelope are the same on every API
// page Tencent publishes (269/2566, 269/3853); the codes with sources are in docs/TENCENT.md.
import * as z from "zod/mini";

/**
 * Tencent's ErrorCodes used on these APIs, from the REST error table
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
export const restQuery = z.object({
  sdkappid: z.string().check(z.regex(/^\d{1,20}$/)),
  identifier: z.string().check(z.minLength(1)),
  usersig: z.string().check(z.minLength(1)),
  random: z.optional(z.string()),
  contenttype: z.optional(z.string()),
});
export const REST_QUERY_PARAMETERS = ["sdkappid", "identifier", "usersig", "random", "contenttype"] as const;

/** The fields every answer has; an API's answer schema extends it. */
export const restEnvelope = z.object({
  ActionStatus: z.enum(["OK", "FAIL"]),
  ErrorInfo: z.optional(z.string()),
  ErrorCode: z.number(),
});
export type RestEnvelope = z.infer<typeof restEnvelope>;

/** Tencent's bare success, fields in Tencent's order: an API with nothing more to say (kick). */
export const OK_BODY = JSON.stringify({ ActionStatus: "OK", ErrorInfo: "", ErrorCode: 0 });

/** Tencent's failure envelope: HTTP 200, ActionStatus FAIL, the code and words. */
export function failBody(errorCode: number, errorInfo: string): string {
  return JSON.stringify({ ActionStatus: "FAIL", ErrorInfo: errorInfo, ErrorCode: errorCode });
}

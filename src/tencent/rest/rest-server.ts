// The serving side of what every Tencent REST API checks before its own body: the SDKAppID,
// the UserSig for the identifier, the App admin, then a JSON body. Shared by the compatible
// query endpoint and the local stand-in (query and kick), so all refuse the same requests with
// the same ErrorCodes. Web APIs only; `.ts` imports because Node loads it too.
import { readBody } from "../../lib/read-body.ts";
import { REST_ERROR, REST_QUERY_PARAMETERS, restQuery } from "./rest-wire.ts";
import { USERSIG_ERROR, verifyUserSig } from "./usersig.ts";

export interface RestServerContext {
  /** Whether this SDKAppID is served here. */
  readonly knownApp: (app: string) => boolean;
  /** The app's secret key; undefined when none is configured. */
  readonly keyFor: (app: string) => string | undefined;
  /** The App admin account the `identifier` must name. */
  readonly admin: string;
  readonly nowSeconds: number;
  /** Words for a known app without a key (70016): says which setting to make. */
  readonly missingKeyInfo: string;
}

export type RestRefusal = { readonly ok: false; readonly errorCode: number; readonly errorInfo: string };

export const refuse = (errorCode: number, errorInfo: string): RestRefusal => ({ ok: false, errorCode, errorInfo });

/** The known query parameters, names matched case-insensitively (Tencent's docs vary in case). */
export function restParameters(url: URL): Record<string, string> {
  const found: Record<string, string> = {};
  for (const [key, value] of url.searchParams) {
    const name = key.toLowerCase();
    if ((REST_QUERY_PARAMETERS as readonly string[]).includes(name) && !(name in found)) found[name] = value;
  }
  return found;
}

/**
 * Checks the URL as Tencent does, in Tencent's order: the SDKAppID (60012, 70020), the UserSig
 * for the identifier (60004, 70016, 70001…70014), the admin, compared exactly (60010).
 */
export async function checkAdminRequest(
  url: URL,
  ctx: RestServerContext,
): Promise<{ readonly ok: true; readonly app: string } | RestRefusal> {
  const raw = restParameters(url);
  const params = restQuery.safeParse(raw);
  const app = raw.sdkappid ?? "";
  if (app === "") {
    return refuse(REST_ERROR.sdkAppIdMissing, "sdkappid is missing from the URL: add ?sdkappid=<your SDKAppID>");
  }
  if (!/^\d{1,20}$/.test(app) || !ctx.knownApp(app)) {
    return refuse(REST_ERROR.sdkAppIdUnknown, `SDKAppID ${app.slice(0, 20)} is not served here: check the sdkappid`);
  }
  if (!params.success) {
    return refuse(
      REST_ERROR.accountOrSig,
      "identifier and usersig are required in the URL: the App admin and a UserSig signed for it",
    );
  }
  const { identifier, usersig: userSig } = params.data;
  const key = ctx.keyFor(app);
  if (key === undefined) return refuse(USERSIG_ERROR.keyMissing, ctx.missingKeyInfo);
  const check = await verifyUserSig(key, userSig, { sdkAppId: app, identifier }, ctx.nowSeconds);
  if (!check.ok) return refuse(check.errorCode, check.errorInfo);
  if (identifier !== ctx.admin) {
    return refuse(
      REST_ERROR.adminRequired,
      "this request needs the App admin: set identifier to the admin account and sign the UserSig for it",
    );
  }
  return { ok: true, app };
}

/** The body as JSON, or Tencent's refusal: too large (70402), not UTF-8 or not JSON (60003), unreadable (60002). */
export async function readRestJson(
  request: Request,
  maxBytes: number,
): Promise<{ readonly ok: true; readonly json: unknown } | RestRefusal> {
  const read = await readBody(request, maxBytes);
  if (!read.ok) {
    if (read.problem === "too_large")
      return refuse(REST_ERROR.invalidParameter, `the body is larger than ${maxBytes} bytes`);
    if (read.problem === "not_utf8") return refuse(REST_ERROR.jsonParse, "the body is not well-formed UTF-8 JSON");
    return refuse(REST_ERROR.httpParse, "the request body could not be read: send it again");
  }
  try {
    return { ok: true, json: JSON.parse(read.text) };
  } catch {
    return refuse(REST_ERROR.jsonParse, "the body is not valid JSON");
  }
}

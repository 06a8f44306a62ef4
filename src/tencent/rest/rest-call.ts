// What every call we make to Tencent's REST API shares: the App admin's UserSig and URL, one
// POST with a timeout, the answer read within a size bound and checked against its schema and
// Tencent's envelope. It never throws: every failure (network, timeout, HTTP status, a
// malformed answer, ActionStatus FAIL) comes back as data, and no failure text carries the
// UserSig. The clients of each API (query-online-status.ts, kick.ts) add their body and answer.
import type { ZodMiniType } from "zod/mini";
import type { AppId, EpochMs } from "../../presence/types.ts";
import { validate } from "../../lib/validation.ts";
import type { RestEnvelope } from "./rest-wire.ts";
import { USERSIG_ERROR } from "./usersig.ts";
import { userSigFor } from "./usersig-cache.ts";

/** Tencent answers within a second; past this the call is a failure, retried by its caller. */
export const REST_TIMEOUT_MS = 5000;
const MAX_ERROR_LENGTH = 300;

/** One call's who and how: the App admin's ticket for one app, at one REST domain. */
export interface RestCallOptions {
  /** Tencent's REST domain, e.g. https://adminapisgp.im.qcloud.com, no trailing slash. */
  readonly baseUrl: string;
  readonly sdkAppId: string;
  /** The app admin account. */
  readonly identifier: string;
  readonly userSig: string;
  readonly timeoutMs?: number;
  /** The URL's `random`; a fresh 32-bit unsigned integer when omitted. */
  readonly random?: number;
  /** For tests: the fetch to use (an in-process fake Tencent). */
  readonly fetcher?: typeof fetch;
}

/** What signing as the App admin takes: the REST domain, the admin, and the app's secret key. */
export interface TencentAdmin {
  readonly baseUrl: string;
  readonly identifier: string;
  /** undefined when the app has none (IM_SECRET_KEY / IM_SECRET_KEY_<SDKAppID> unset). */
  readonly key: string | undefined;
}

/** Why a call brought no answer. `message` is for logs and replies: bounded, never the UserSig. */
export type RestFailure =
  /** Tencent answered ActionStatus FAIL or a non-zero ErrorCode: its code and words. */
  | {
      readonly ok: false;
      readonly reason: "refused";
      readonly errorCode: number;
      readonly errorInfo: string;
      readonly message: string;
    }
  /** The app has no secret key here, so nothing was sent (70016 is Tencent's code for it). */
  | {
      readonly ok: false;
      readonly reason: "no_key";
      readonly errorCode: typeof USERSIG_ERROR.keyMissing;
      readonly message: string;
    }
  | {
      readonly ok: false;
      readonly reason: "http" | "network" | "timeout" | "malformed" | "signing";
      readonly errorCode: null;
      readonly message: string;
    };

export type RestResult<T> = { readonly ok: true; readonly answer: T } | RestFailure;

const freshRandom = () => crypto.getRandomValues(new Uint32Array(1))[0] ?? 0;

/** The URL Tencent's REST API takes: the path, then the admin, its UserSig, a random, json. */
export function restUrl(options: RestCallOptions, path: string): string {
  const query = new URLSearchParams({
    sdkappid: options.sdkAppId,
    identifier: options.identifier,
    usersig: options.userSig,
    random: String(options.random ?? freshRandom()),
    contenttype: "json",
  });
  return `${options.baseUrl}${path}?${query}`;
}

/**
 * The App admin's call options for `app`, with the admin's cached UserSig (usersig-cache.ts),
 * or why there are none: no key (70016, nothing sent) or a signing failure.
 */
export async function signedAs(
  admin: TencentAdmin,
  app: AppId,
  nowMs: EpochMs,
  options: Pick<RestCallOptions, "timeoutMs" | "fetcher" | "random"> = {},
): Promise<{ readonly ok: true; readonly call: RestCallOptions } | RestFailure> {
  if (admin.key === undefined) {
    return {
      ok: false,
      reason: "no_key",
      errorCode: USERSIG_ERROR.keyMissing,
      message: `IM_SECRET_KEY is not set for SDKAppID ${app}`,
    };
  }
  try {
    const userSig = await userSigFor(admin.key, app, admin.identifier, nowMs);
    return {
      ok: true,
      call: { baseUrl: admin.baseUrl, sdkAppId: app, identifier: admin.identifier, userSig, ...options },
    };
  } catch (error) {
    // The key itself is never in the message: only that signing failed.
    return {
      ok: false,
      reason: "signing",
      errorCode: null,
      message: `could not sign a UserSig: ${(error as Error).name}`,
    };
  }
}

async function readBounded(response: Response, limit: number): Promise<string> {
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > limit) throw new RangeError(`answer larger than ${limit} bytes`);
  const text = await response.text();
  if (text.length > limit) throw new RangeError(`answer larger than ${limit} bytes`);
  return text;
}

export interface AnswerReading<T> {
  /** The whole answer's schema: the envelope and the API's own fields. */
  readonly schema: ZodMiniType<T, unknown>;
  readonly maxBytes: number;
  /** Applied to the parsed JSON before the schema (e.g. a field Tencent spells two ways). */
  readonly normalise?: (json: unknown) => unknown;
}

/** POSTs `body` as JSON to Tencent's `path` as the App admin, and reads the answer. */
export async function postToTencent<T extends RestEnvelope>(
  options: RestCallOptions,
  path: string,
  body: unknown,
  reading: AnswerReading<T>,
): Promise<RestResult<T>> {
  const { userSig } = options;
  const timeoutMs = options.timeoutMs ?? REST_TIMEOUT_MS;
  // Whatever Tencent or the network says, the ticket is not repeated in our logs or replies.
  const scrub = (text: string) => (userSig === "" ? text : text.split(userSig).join("***")).slice(0, MAX_ERROR_LENGTH);
  const failure = (reason: "http" | "network" | "timeout" | "malformed", message: string) =>
    ({ ok: false, reason, errorCode: null, message: scrub(message) }) as const;

  // Not AbortSignal.timeout(): its timer cannot be cleared, and a pending timer keeps a
  // Durable Object awake (billed, not evictable) long after the answer came.
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, "TimeoutError")),
    timeoutMs,
  );
  let text: string;
  let status: number;
  try {
    const response = await (options.fetcher ?? fetch)(restUrl(options, path), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      redirect: "manual",
      signal: controller.signal,
    });
    status = response.status;
    if (status < 200 || status >= 300) {
      await response.body?.cancel().catch(() => undefined);
      return failure("http", `HTTP ${status} from Tencent`);
    }
    text = await readBounded(response, reading.maxBytes);
  } catch (error) {
    if (controller.signal.aborted) return failure("timeout", `timeout: no answer within ${timeoutMs / 1000} s`);
    return failure("network", `network error: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    clearTimeout(timer);
  }

  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return failure("malformed", `malformed answer (HTTP ${status}): not JSON`);
  }
  const parsed = validate(reading.schema, reading.normalise ? reading.normalise(json) : json, "answer");
  if (!parsed.ok) return failure("malformed", `malformed answer (HTTP ${status}): ${parsed.message}`);
  const answer = parsed.data;
  // FAIL with ErrorCode 0 (never seen) keeps Tencent's 0; the query client reports it as null.
  if (answer.ActionStatus !== "OK" || answer.ErrorCode !== 0) {
    const errorInfo = answer.ErrorInfo ?? "";
    return {
      ok: false,
      reason: "refused",
      errorCode: answer.ErrorCode,
      errorInfo: scrub(errorInfo),
      message: scrub(`Tencent ErrorCode ${answer.ErrorCode}: ${answer.ErrorInfo ?? "no ErrorInfo"}`),
    };
  }
  return { ok: true, answer };
}

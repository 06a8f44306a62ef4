// POST /callback: Tencent IM's third-party callback. Every rejection happens before the
// Durable Object is touched, so nothing from a rejected request is ever stored.
import { loadConfig, type Config } from "../config";
import { sha256, toHex } from "../lib/digest";
import { log } from "../lib/log";
import { presenceStub } from "../user/stub";
import type { AppId } from "../presence/types";
import { STATE_CHANGE_COMMAND, parseStateChange } from "../tencent/callback-schema";
import { readCallbackQuery } from "../tencent/query";
import { failReply, okReply, type CallbackFailureStatus } from "../tencent/reply";
import { verifySignature } from "../tencent/signature";
import { BODY_PROBLEMS, readBody } from "../lib/read-body";

/** The largest callback body read (SPEC §2: over it, 413). Tencent's bodies are a few hundred bytes. */
export const MAX_CALLBACK_BYTES = 64 * 1024;
const MAX_CALLBACK_SIZE = `${MAX_CALLBACK_BYTES / 1024} KiB`;
const MAX_CLIENT_IP_LENGTH = 64;

const SIGNATURE_ERRORS = {
  missing: "Sign and RequestTime are required",
  malformed: "Sign or RequestTime is malformed",
  expired: "RequestTime is more than 60 seconds away from the server clock",
  mismatch: "Sign does not match",
} as const;

/**
 * 128 bits of sha256 over the whole query (RequestTime, Sign, and the OptPlatform and ClientIP
 * that only the query carries) and the body: the same request, byte for byte.
 */
async function resendKey(query: string, body: string): Promise<string> {
  return toHex((await sha256(`${query}\n${body}`)).slice(0, 16));
}

/** The callback's log line: what an operator needs, never a token, a Sign or a body. */
interface CallbackLog {
  msg: "callback";
  app?: string;
  command?: string;
  platform?: string;
  action?: string;
  outcome?: string;
  /** Why a callback was refused: a short code, the field, and the reply's ErrorInfo. */
  rejected?: string;
  field?: string;
  reason?: string;
  error?: string;
}

/**
 * The callback's log line in the making. Logs are billed per line: every refusal and every
 * error is logged, an accepted callback only with LOG_CALLBACKS=true (docs/API.md, "Logs").
 * Each answer goes out through `finish`, in the handler itself: no async layer around it.
 */
class CallbackLine {
  readonly fields: CallbackLog = { msg: "callback" };
  constructor(private readonly receivedAt: number) {}

  finish(reply: Response, logAccepted: boolean): Response {
    if (reply.status !== 200 || this.fields.error !== undefined || logAccepted) {
      log({ ...this.fields, http: reply.status, durationMs: Date.now() - this.receivedAt });
    }
    return reply;
  }

  /** A refusal: the reply names the problem, and the log line says why and which field. */
  refuse(status: CallbackFailureStatus, rejected: string, field: string, info: string): Response {
    Object.assign(this.fields, { rejected, field, reason: info });
    return this.finish(failReply(status, info), false);
  }
}

export async function handleCallback(request: Request, env: Env, url = new URL(request.url)): Promise<Response> {
  const receivedAt = Date.now();
  const line = new CallbackLine(receivedAt);
  const logged = line.fields;
  if (request.method !== "POST") return line.refuse(405, "method", "method", "method not allowed: use POST");
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (error) {
    logged.error = String(error);
    return line.finish(
      failReply(500, "server configuration is invalid: GET /healthz names the variable and how to fix it"),
      false,
    );
  }

  const query = readCallbackQuery(url);
  if (query.sdkAppId === null || query.sdkAppId === "") {
    return line.refuse(400, "query", "SdkAppid", "SdkAppid: missing");
  }
  const app = query.sdkAppId as AppId;
  logged.app = /^\d{1,20}$/.test(app) ? app : "(invalid)";
  if (!config.appIds.has(app)) return line.refuse(403, "app", "SdkAppid", "SdkAppid: not configured");

  const tokens = config.callbackTokens.get(app) ?? [];
  const signed = tokens.length > 0;
  if (signed) {
    let check = verifySignature(tokens, query.requestTime, query.sign, Math.floor(receivedAt / 1000));
    if (typeof check !== "string") check = await check;
    if (check !== "ok") {
      const field = check === "expired" ? "RequestTime" : "Sign";
      return line.refuse(401, check, field, SIGNATURE_ERRORS[check]);
    }
  } else if (!config.allowUnsigned) {
    return line.refuse(401, "unsigned", "Sign", "no callback token is configured for this SdkAppid");
  }

  const command = query.callbackCommand;
  if (command === null || command === "") {
    return line.refuse(400, "query", "CallbackCommand", "CallbackCommand: missing");
  }
  logged.command = command.slice(0, 64);
  // Other callbacks reach the same URL when an app enables them: answered before their
  // body is read, so none of them (however large) can block an IM flow.
  if (command !== STATE_CHANGE_COMMAND) return line.finish(okReply(), config.logCallbacks);

  const read = await readBody(request, MAX_CALLBACK_BYTES);
  if (!read.ok) {
    if (read.problem === "too_large") {
      return line.refuse(
        413,
        "too_large",
        "body",
        `body: larger than ${MAX_CALLBACK_SIZE} (${MAX_CALLBACK_BYTES} bytes)`,
      );
    }
    return line.refuse(400, read.problem, "body", BODY_PROBLEMS[read.problem]);
  }

  if (query.clientIp !== null && query.clientIp.length > MAX_CLIENT_IP_LENGTH) {
    return line.refuse(400, "query", "ClientIP", `ClientIP: longer than ${MAX_CLIENT_IP_LENGTH} characters`);
  }
  let body: unknown;
  try {
    body = JSON.parse(read.text);
  } catch {
    return line.refuse(400, "json", "body", "body: malformed JSON");
  }
  const parsed = parseStateChange(body, { optPlatform: query.optPlatform, clientIp: query.clientIp, receivedAt });
  if (!parsed.ok) return line.refuse(400, "schema", parsed.field, parsed.message);
  logged.platform = parsed.event.platform;
  logged.action = parsed.event.action;

  try {
    // A signed request re-sent within its window is recognised by its bytes (docs/DESIGN.md).
    // With an EventTime the copy is the same event, which the reducer already finds in place:
    // only an untimed one, which takes the receive time, needs the digest.
    const requestKey = signed && !parsed.timed ? await resendKey(url.search, read.text) : null;
    logged.outcome = await presenceStub(env, app, parsed.account).ingest(app, parsed.account, parsed.event, requestKey);
    return line.finish(okReply(), config.logCallbacks);
  } catch (error) {
    // Never OK for an event that was not stored.
    logged.error = String(error);
    return line.finish(failReply(500, "storage failure"), false);
  }
}

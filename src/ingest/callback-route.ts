// POST /callback: Tencent IM's third-party callback. Every rejection happens before the
// Durable Object is touched, so nothing from a rejected request is ever stored.
import { loadConfig, type Config } from "../config";
import { sha256, toHex } from "../lib/digest";
import { log } from "../lib/log";
import { presenceStub } from "../durable/presence-stub";
import type { AppId } from "../presence/types";
import { STATE_CHANGE_COMMAND, parseStateChange } from "../tencent/callback-schema";
import { readCallbackQuery } from "../tencent/query";
import { failReply, okReply } from "../tencent/reply";
import { verifySignature } from "../tencent/signature";
import { BodyTooLargeError, MAX_CALLBACK_BYTES, readBodyText } from "../lib/read-body";

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

export async function handleCallback(request: Request, env: Env, url = new URL(request.url)): Promise<Response> {
  const started = Date.now();
  const logged: Record<string, unknown> = { msg: "callback" };
  const reply = await answer(request, env, url, started, logged);
  log({ ...logged, http: reply.status, durationMs: Date.now() - started });
  return reply;
}

async function answer(
  request: Request,
  env: Env,
  url: URL,
  receivedAt: number,
  logged: Record<string, unknown>,
): Promise<Response> {
  if (request.method !== "POST") return failReply(405, "method not allowed: use POST");
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (error) {
    logged.error = String(error);
    return failReply(500, "server configuration is invalid");
  }

  const query = readCallbackQuery(url);
  if (query.sdkAppId === null || query.sdkAppId === "") return failReply(400, "SdkAppid: missing");
  const app = query.sdkAppId as AppId;
  logged.app = /^\d{1,20}$/.test(app) ? app : "(invalid)";
  if (!config.appIds.has(app)) return failReply(403, "SdkAppid: not configured");

  const tokens = config.callbackTokens.get(app) ?? [];
  const signed = tokens.length > 0;
  if (signed) {
    const check = await verifySignature(tokens, query.requestTime, query.sign, Math.floor(receivedAt / 1000));
    if (check !== "ok") {
      logged.rejected = check;
      return failReply(401, SIGNATURE_ERRORS[check]);
    }
  } else if (!config.allowUnsigned) {
    return failReply(401, "no callback token is configured for this SdkAppid");
  }

  const command = query.callbackCommand;
  if (command === null || command === "") return failReply(400, "CallbackCommand: missing");
  logged.command = command.slice(0, 64);
  // Other callbacks reach the same URL when an app enables them: answered before their
  // body is read, so none of them (however large) can block an IM flow.
  if (command !== STATE_CHANGE_COMMAND) return okReply();

  let text: string;
  try {
    text = await readBodyText(request, MAX_CALLBACK_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError)
      return failReply(413, `body: larger than 64 KiB (${MAX_CALLBACK_BYTES} bytes)`);
    throw error;
  }

  if (query.clientIp !== null && query.clientIp.length > MAX_CLIENT_IP_LENGTH) {
    return failReply(400, `ClientIP: longer than ${MAX_CLIENT_IP_LENGTH} characters`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return failReply(400, "body: malformed JSON");
  }
  const parsed = parseStateChange(body, { optPlatform: query.optPlatform, clientIp: query.clientIp, receivedAt });
  if (!parsed.ok) return failReply(400, parsed.message);
  logged.platform = parsed.event.platform;
  logged.action = parsed.event.action;

  try {
    // A signed request re-sent within its window is recognised by its bytes (docs/DESIGN.md).
    const requestKey = signed ? await resendKey(url.search, text) : null;
    const result = await presenceStub(env, app, parsed.account).ingest(app, parsed.account, parsed.event, requestKey);
    logged.outcome = result.outcome;
    return okReply();
  } catch (error) {
    // Never OK for an event that was not stored.
    logged.error = String(error);
    return failReply(500, "storage failure");
  }
}

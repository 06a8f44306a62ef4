// The read API's error shape: `{"error": code, "message": human text}`.
export type ApiErrorCode =
  | "bad_request"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "method_not_allowed"
  | "payload_too_large"
  | "upgrade_required"
  | "not_configured"
  | "bad_gateway"
  | "tencent_error"
  | "server_error";

export function apiError(status: number, error: ApiErrorCode, message: string, headers?: HeadersInit): Response {
  return Response.json({ error, message }, { status, headers });
}

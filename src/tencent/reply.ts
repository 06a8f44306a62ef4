// Tencent expects every callback answer in its own envelope, success or not.
export interface TencentReplyBody {
  readonly ActionStatus: "OK" | "FAIL";
  readonly ErrorCode: 0 | 1;
  readonly ErrorInfo: string;
}

export type CallbackFailureStatus = 400 | 401 | 403 | 405 | 413 | 500;

// Every successful callback gets the same bytes: serialised once, not per request.
const OK_BODY = JSON.stringify({ ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" } satisfies TencentReplyBody);

export function okReply(): Response {
  return new Response(OK_BODY, { headers: { "content-type": "application/json" } });
}

export function failReply(status: CallbackFailureStatus, info: string): Response {
  const headers: HeadersInit = status === 405 ? { Allow: "POST" } : {};
  return Response.json({ ActionStatus: "FAIL", ErrorCode: 1, ErrorInfo: info } satisfies TencentReplyBody, {
    status,
    headers,
  });
}

// Tencent expects every callback answer in its own envelope, success or not.
export interface TencentReplyBody {
  readonly ActionStatus: "OK" | "FAIL";
  readonly ErrorCode: 0 | 1;
  readonly ErrorInfo: string;
}

export type CallbackFailureStatus = 400 | 401 | 403 | 405 | 413 | 500;

export function okReply(info = ""): Response {
  return Response.json({ ActionStatus: "OK", ErrorCode: 0, ErrorInfo: info } satisfies TencentReplyBody);
}

export function failReply(status: CallbackFailureStatus, info: string): Response {
  const headers: HeadersInit = status === 405 ? { Allow: "POST" } : {};
  return Response.json({ ActionStatus: "FAIL", ErrorCode: 1, ErrorInfo: info } satisfies TencentReplyBody, {
    status,
    headers,
  });
}

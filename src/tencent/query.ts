// Tencent's documents spell the same query parameter `SdkAppid`, `SDKAppID` and
// `sdkappid`; names are matched without regard to case. The first occurrence wins.
export function caseInsensitiveQuery(url: URL): (name: string) => string | null {
  const byLowerName = new Map<string, string>();
  for (const [name, value] of url.searchParams) {
    const key = name.toLowerCase();
    if (!byLowerName.has(key)) byLowerName.set(key, value);
  }
  return (name) => byLowerName.get(name.toLowerCase()) ?? null;
}

export interface CallbackQuery {
  readonly sdkAppId: string | null;
  readonly callbackCommand: string | null;
  readonly clientIp: string | null;
  readonly optPlatform: string | null;
  readonly requestTime: string | null;
  readonly sign: string | null;
}

export function readCallbackQuery(url: URL): CallbackQuery {
  const get = caseInsensitiveQuery(url);
  return {
    sdkAppId: get("SdkAppid"),
    callbackCommand: get("CallbackCommand"),
    clientIp: get("ClientIP"),
    optPlatform: get("OptPlatform"),
    requestTime: get("RequestTime"),
    sign: get("Sign"),
  };
}

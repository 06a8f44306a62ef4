// Tencent's documents spell the same query parameter `SdkAppid`, `SDKAppID` and
// `sdkappid`; names are matched without regard to case. The first occurrence wins.
//
// Every callback goes through this, so it reads `url.search` itself rather than iterating
// URLSearchParams (an entry array per pair): a URL's query is ASCII after parsing, so a pair
// without `%` or `+` needs no decoding and is taken as is; any other pair is decoded by
// URLSearchParams, so the result is exactly what URLSearchParams gives (a property test
// checks the two against each other).
export function caseInsensitiveQuery(url: URL): (name: string) => string | null {
  const byLowerName = new Map<string, string>();
  const search = url.search; // "" or "?…"
  for (let start = 1; start < search.length;) {
    let end = search.indexOf("&", start);
    if (end === -1) end = search.length;
    if (end > start) {
      const [name, value] = pairOf(search.slice(start, end));
      const key = name.toLowerCase();
      if (!byLowerName.has(key)) byLowerName.set(key, value);
    }
    start = end + 1;
  }
  return (name) => byLowerName.get(name.toLowerCase()) ?? null;
}

function pairOf(pair: string): readonly [string, string] {
  if (pair.includes("%") || pair.includes("+")) {
    // The leading "&" keeps a "?" at the pair's start a part of its name, as in the whole query.
    for (const entry of new URLSearchParams(`&${pair}`)) return entry;
    return ["", ""];
  }
  const eq = pair.indexOf("=");
  return eq === -1 ? [pair, ""] : [pair.slice(0, eq), pair.slice(eq + 1)];
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

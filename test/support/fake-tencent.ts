// An in-process stand-in for Tencent's query_online_status, handed to a Reconciler as its
// fetcher: it checks the UserSig as Tencent does and answers from a truth table. Tests set
// the truth, take Tencent down or make it answer FAIL, and look at every call it got.
import { toTencentPlatform, toTencentStatus } from "../../src/tencent/rest/platforms";
import { QUERY_ONLINE_STATUS_PATH } from "../../src/tencent/rest/query-online-status-wire";
import { failBody } from "../../src/tencent/rest/rest-wire";
import { verifyUserSig } from "../../src/tencent/rest/usersig";
import type { ConnectionState, Platform } from "../../src/presence/types";

export interface FakeCall {
  readonly sdkAppId: string;
  readonly accounts: string[];
  readonly at: number;
}

export class FakeTencent {
  /** account → platform → state; an account not here is Offline, one in `unknown` is not imported. */
  readonly truth = new Map<string, Partial<Record<Platform, ConnectionState>>>();
  readonly unknown = new Set<string>();
  readonly calls: FakeCall[] = [];
  /** Runs while a call is in flight, before the answer (to race a callback against it). */
  during: ((accounts: string[]) => Promise<void>) | null = null;
  /** Answer every account "Online" with no Detail (which reconciliation leaves alone). */
  withoutDetail = false;
  /** When set, every call fails this way. */
  failure:
    { readonly kind: "http"; readonly status: number } | { readonly kind: "fail"; readonly code: number } | null = null;

  constructor(
    private readonly key: string,
    private readonly identifier: string,
  ) {}

  set(account: string, platforms: Partial<Record<Platform, ConnectionState>>): void {
    this.truth.set(account, platforms);
  }

  readonly fetch: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    if (url.pathname !== QUERY_ONLINE_STATUS_PATH) return new Response("not found", { status: 404 });
    const sdkAppId = url.searchParams.get("sdkappid") ?? "";
    const body = (await request.json()) as { To_Account: string[] };
    this.calls.push({ sdkAppId, accounts: body.To_Account, at: Date.now() });
    if (this.during !== null) await this.during(body.To_Account);
    if (this.failure?.kind === "http") return new Response("upstream down", { status: this.failure.status });
    if (this.failure?.kind === "fail") return new Response(failBody(this.failure.code, "stand-in failure"));
    const check = await verifyUserSig(
      this.key,
      url.searchParams.get("usersig") ?? "",
      { sdkAppId, identifier: url.searchParams.get("identifier") ?? "" },
      Math.floor(Date.now() / 1000),
    );
    if (!check.ok) return new Response(failBody(check.errorCode, check.errorInfo));
    const QueryResult = [];
    const ErrorList = [];
    for (const account of body.To_Account) {
      if (this.withoutDetail) {
        QueryResult.push({ To_Account: account, Status: "Online" });
        continue;
      }
      if (this.unknown.has(account)) {
        ErrorList.push({ To_Account: account, ErrorCode: 70107 });
        continue;
      }
      const platforms = Object.entries(this.truth.get(account) ?? {}).filter(([, s]) => s !== "offline");
      const online = platforms.some(([, s]) => s === "online");
      const status = online ? "online" : platforms.length > 0 ? "disconnected" : "offline";
      QueryResult.push({
        To_Account: account,
        Status: toTencentStatus(status),
        Detail: platforms.map(([p, s]) => ({
          Platform: toTencentPlatform(p as Platform),
          Status: toTencentStatus(s as ConnectionState),
        })),
      });
    }
    return Response.json({ ActionStatus: "OK", ErrorInfo: "", ErrorCode: 0, QueryResult, ErrorList });
  };
}

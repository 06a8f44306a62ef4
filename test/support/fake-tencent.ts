// An in-process stand-in for Tencent's query_online_status and kick, handed to a Reconciler as
// its fetcher: it checks the UserSig as Tencent does and answers from a truth table (a kick sets
// the account Offline in it). Tests set the truth, take Tencent down or make it answer FAIL, and
// look at every call it got.
import { checkKick } from "../../src/tencent/rest/kick-server";
import { KICK_PATH } from "../../src/tencent/rest/kick-wire";
import { toTencentPlatform, toTencentStatus } from "../../src/tencent/rest/platforms";
import { QUERY_ONLINE_STATUS_PATH } from "../../src/tencent/rest/query-online-status-wire";
import { failBody, OK_BODY, REST_ERROR } from "../../src/tencent/rest/rest-wire";
import { verifyUserSig } from "../../src/tencent/rest/usersig";
import type { ConnectionState, Platform } from "../../src/presence/types";

export interface FakeCall {
  readonly sdkAppId: string;
  readonly accounts: string[];
  readonly at: number;
}

export interface FakeKick {
  readonly sdkAppId: string;
  /** The UserID sent; null when the body was not one Tencent takes. */
  readonly account: string | null;
  readonly at: number;
}

/** How a kick fails: an HTTP status, FAIL with a code, no connection, or no answer (until aborted). */
export type KickFailure =
  | { readonly kind: "http"; readonly status: number }
  | { readonly kind: "fail"; readonly code: number }
  | { readonly kind: "network" }
  | { readonly kind: "timeout" };

export class FakeTencent {
  /** account → platform → state; an account not here is Offline, one in `unknown` is not imported. */
  readonly truth = new Map<string, Partial<Record<Platform, ConnectionState>>>();
  readonly unknown = new Set<string>();
  readonly calls: FakeCall[] = [];
  /** Runs while a call is in flight, before the answer (to race a callback against it). */
  during: ((accounts: string[]) => Promise<void>) | null = null;
  /** Answer every account "Online" with no Detail (which reconciliation leaves alone). */
  withoutDetail = false;
  /** Every kick asked for, in order (failed ones too). */
  readonly kicks: FakeKick[] = [];
  /** When set, every kick fails this way (queries fail by `failure`). */
  kickFailure: KickFailure | null = null;
  /** When set, every query fails this way. */
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
    if (url.pathname === KICK_PATH) return this.kick(request, url, init?.signal ?? null);
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

  /** Tencent's kick: checked as Tencent checks it, then the account is Offline everywhere. */
  private async kick(request: Request, url: URL, signal: AbortSignal | null): Promise<Response> {
    const body = (await request
      .clone()
      .json()
      .catch(() => null)) as { UserID?: unknown } | null;
    const account = typeof body?.UserID === "string" ? body.UserID : null;
    this.kicks.push({ sdkAppId: url.searchParams.get("sdkappid") ?? "", account, at: Date.now() });
    const failure = this.kickFailure;
    if (failure?.kind === "network") throw new TypeError("connect failed: connection refused");
    if (failure?.kind === "timeout") {
      // Never answers: the caller's own timeout aborts the request.
      return new Promise((_resolve, reject) => signal?.addEventListener("abort", () => reject(signal.reason)));
    }
    if (failure?.kind === "http") return new Response("upstream down", { status: failure.status });
    if (failure?.kind === "fail") return new Response(failBody(failure.code, "stand-in failure"));
    const checked = await checkKick(request, url, {
      knownApp: () => true,
      keyFor: () => this.key,
      admin: this.identifier,
      nowSeconds: Math.floor(Date.now() / 1000),
      missingKeyInfo: "no key",
    });
    if (!checked.ok) return new Response(failBody(checked.errorCode, checked.errorInfo));
    if (this.unknown.has(checked.account)) {
      return new Response(failBody(REST_ERROR.notImported, "the account was never imported"));
    }
    const platforms = this.truth.get(checked.account) ?? {};
    this.truth.set(checked.account, Object.fromEntries(Object.keys(platforms).map((p) => [p, "offline"])));
    return new Response(OK_BODY);
  }
}

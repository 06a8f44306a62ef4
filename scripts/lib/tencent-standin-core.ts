// A stand-in for Tencent's REST endpoints `v4/openim/query_online_status` and
// `v4/im_open_login_svc/kick`, as a fetch-style handler (Request → Response): the Node server
// (scripts/tencent-standin.ts) serves it on 127.0.0.1, and tests can call it in-process. It
// checks requests with the same code the Worker's compatible endpoint uses (UserSig, admin,
// body: src/tencent/rest/), answers queries from a truth table, and a kick sets the account
// Offline on every platform of it. Simulators, tests and the bench drive it through a small
// control API:
//
//   PUT    /truth/{sdkappid}/{account}  {"platforms":{"iOS":"Online","PC":"PushOnline"},"customStatus"?:"…"}
//   GET    /truth/{sdkappid}/{account}  → the entry, 404 when never set
//   DELETE /truth/{sdkappid}/{account}  → forgotten (never seen)        DELETE /truth → all forgotten
//   POST   /truth/{sdkappid}            {"accounts":{"alice":{"platforms":{…}},…}}  many at once
//   GET    /stats                       → calls, accounts asked, answers, failures by ErrorCode;
//                                        kicks: {calls, kicked, failed, byErrorCode, byHttpStatus}
//   GET    /stats/{sdkappid}/{account}  → {"asked":n}: answered calls that asked for this account
//   DELETE /stats                       → counters (the per-account ones too) back to zero
//   PUT    /behaviour                   {"failWith"?:{"errorCode":70500,"errorInfo"?:"…"}|null,
//                                        "httpStatus"?:503|null, "delayMs"?:6000, "times"?:3|null,
//                                        "unknownAccounts"?:"offline"|"missing", "malformed"?:true}
//   GET    /behaviour, DELETE /behaviour (back to normal)
//
// Platform names in the truth table are Tencent's (iPhone, PC, …) or ours (iOS, Windows, …);
// status words Tencent's (Online, PushOnline, Offline). A never-set account is Offline, or in
// ErrorList with 70107 when `unknownAccounts` is "missing". `times` limits failWith/httpStatus/
// malformed to the next N calls (null: until changed). The behaviour applies to kicks as to
// queries (Tencent down is down for both); a kick of a never-set account is 70107 when
// `unknownAccounts` is "missing", else OK (it is Offline already). Runs on Node 24 (type stripping).
import type { ConnectionState, Platform } from "../../src/presence/types.ts";
import { checkKick } from "../../src/tencent/rest/kick-server.ts";
import { KICK_PATH } from "../../src/tencent/rest/kick-wire.ts";
import { fromTencentPlatform, type TencentStatus } from "../../src/tencent/rest/platforms.ts";
import {
  checkQueryOnlineStatus,
  okBody,
  queryResultOf,
  type AccountPresence,
} from "../../src/tencent/rest/query-online-status-server.ts";
import { QUERY_ONLINE_STATUS_PATH } from "../../src/tencent/rest/query-online-status-wire.ts";
import { failBody, OK_BODY, REST_ERROR } from "../../src/tencent/rest/rest-wire.ts";

export interface StandinOptions {
  /** SDKAppID → secret key, as the IM console holds them. */
  readonly apps: ReadonlyMap<string, string>;
  /** The App admin account. */
  readonly admin: string;
  /** Milliseconds since the epoch; Date.now by default. */
  readonly clock?: () => number;
}

export interface Behaviour {
  failWith: { errorCode: number; errorInfo?: string } | null;
  httpStatus: number | null;
  delayMs: number;
  times: number | null;
  unknownAccounts: "offline" | "missing";
  malformed: boolean;
}

/** Calls to the kick, apart from the query's: the bench's figures stay the query's. */
export interface KickStats {
  calls: number;
  kicked: number;
  failed: number;
  byErrorCode: Record<string, number>;
  byHttpStatus: Record<string, number>;
}

export interface Stats {
  calls: number;
  accountsAsked: number;
  answered: number;
  failed: number;
  maxAccountsPerCall: number;
  byErrorCode: Record<string, number>;
  byHttpStatus: Record<string, number>;
  lastCallAt: number | null;
  kicks: KickStats;
}

interface TruthEntry {
  platforms: Partial<Record<Platform, ConnectionState>>;
  customStatus: string | null;
}

const NORMAL: Behaviour = {
  failWith: null,
  httpStatus: null,
  delayMs: 0,
  times: null,
  unknownAccounts: "offline",
  malformed: false,
};

const freshStats = (): Stats => ({
  calls: 0,
  accountsAsked: 0,
  answered: 0,
  failed: 0,
  maxAccountsPerCall: 0,
  byErrorCode: {},
  byHttpStatus: {},
  lastCallAt: null,
  kicks: { calls: 0, kicked: 0, failed: 0, byErrorCode: {}, byHttpStatus: {} },
});

const json = (value: unknown, status = 200) =>
  new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json" } });
const tencentReply = (body: string, status = 200) =>
  new Response(body, { status, headers: { "content-type": "application/json" } });
const problem = (status: number, message: string) => json({ error: message }, status);

const WORDS = new Map<string, ConnectionState>([
  ["online", "online"],
  ["pushonline", "disconnected"],
  ["disconnected", "disconnected"],
  ["offline", "offline"],
]);

/** A truth-table entry from the control API's JSON; a string says what is wrong. */
function parseEntry(value: unknown): TruthEntry | string {
  if (typeof value !== "object" || value === null) return "expected an object with platforms";
  const { platforms, customStatus } = value as { platforms?: unknown; customStatus?: unknown };
  if (typeof platforms !== "object" || platforms === null) return 'platforms: expected {"iOS":"Online",…}';
  const entry: TruthEntry = { platforms: {}, customStatus: null };
  for (const [name, word] of Object.entries(platforms)) {
    const platform = fromTencentPlatform(name);
    const state = typeof word === "string" ? WORDS.get(word.toLowerCase()) : undefined;
    if (platform === "Unknown" && name.toLowerCase() !== "unknown") return `platforms: unknown platform ${name}`;
    if (state === undefined) return `platforms.${name}: expected Online, PushOnline or Offline`;
    entry.platforms[platform] = state;
  }
  if (customStatus !== undefined && customStatus !== null && typeof customStatus !== "string") {
    return "customStatus: expected a string or null";
  }
  entry.customStatus = typeof customStatus === "string" && customStatus !== "" ? customStatus : null;
  return entry;
}

function presenceOf(entry: TruthEntry): AccountPresence {
  const states = Object.values(entry.platforms);
  const status = states.includes("online") ? "online" : states.includes("disconnected") ? "disconnected" : "offline";
  return { status, platforms: entry.platforms, customStatus: entry.customStatus };
}

/** The entry as Tencent's words, for GET /truth. */
function describeEntry(entry: TruthEntry) {
  const platforms: Record<string, TencentStatus> = {};
  for (const [platform, state] of Object.entries(entry.platforms)) {
    platforms[platform] = state === "online" ? "Online" : state === "disconnected" ? "PushOnline" : "Offline";
  }
  return { platforms, customStatus: entry.customStatus, status: presenceOf(entry).status };
}

async function readJson(request: Request): Promise<unknown> {
  try {
    return JSON.parse(await request.text());
  } catch {
    return undefined;
  }
}

export function createTencentStandin(options: StandinOptions) {
  const clock = options.clock ?? Date.now;
  const truth = new Map<string, TruthEntry>();
  let behaviour: Behaviour = { ...NORMAL };
  let stats = freshStats();
  /** Per app and account: answered calls that asked for it (the bench's "checks per user"). */
  let askedPerAccount = new Map<string, number>();
  const truthKey = (app: string, account: string) => `${app}\u0000${account}`;

  function count(bucket: Record<string, number>, key: number) {
    bucket[String(key)] = (bucket[String(key)] ?? 0) + 1;
  }

  /** Consumes one use of a limited failure; true while the failure applies. */
  function failureApplies(): boolean {
    if (behaviour.times === null) return true;
    if (behaviour.times <= 0) return false;
    behaviour.times -= 1;
    return true;
  }

  /** After the asked-for delay, the failure `behaviour` asks for on this call; null: answer. */
  async function injectedFailure(tally: Pick<Stats, "byHttpStatus" | "byErrorCode">): Promise<Response | null> {
    if (behaviour.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, behaviour.delayMs));
    const failing = behaviour.httpStatus !== null || behaviour.failWith !== null || behaviour.malformed;
    if (!failing || !failureApplies()) return null;
    if (behaviour.httpStatus !== null) {
      count(tally.byHttpStatus, behaviour.httpStatus);
      return new Response("stand-in: failing on request", { status: behaviour.httpStatus });
    }
    if (behaviour.malformed) return new Response("<html>stand-in: not JSON</html>", { status: 200 });
    const { errorCode, errorInfo } = behaviour.failWith!;
    count(tally.byErrorCode, errorCode);
    return tencentReply(failBody(errorCode, errorInfo ?? "stand-in: failing on request"));
  }

  /** What Tencent checks every REST call against: the apps and keys, the admin, the clock. */
  const serverContext = () => ({
    knownApp: (app: string) => options.apps.has(app),
    keyFor: (app: string) => options.apps.get(app),
    admin: options.admin,
    nowSeconds: Math.floor(clock() / 1000),
    missingKeyInfo: "the stand-in has no secret key for this SDKAppID",
  });

  async function query(request: Request, url: URL): Promise<Response> {
    stats.calls += 1;
    stats.lastCallAt = clock();
    const injected = await injectedFailure(stats);
    if (injected !== null) {
      stats.failed += 1;
      return injected;
    }
    const checked = await checkQueryOnlineStatus(request, url, serverContext());
    if (!checked.ok) {
      stats.failed += 1;
      count(stats.byErrorCode, checked.errorCode);
      return tencentReply(failBody(checked.errorCode, checked.errorInfo));
    }
    const asked = checked.body.To_Account;
    stats.accountsAsked += asked.length;
    stats.answered += 1;
    stats.maxAccountsPerCall = Math.max(stats.maxAccountsPerCall, asked.length);
    const results = [];
    const errorList = [];
    for (const account of asked) {
      const key = truthKey(checked.app, account);
      askedPerAccount.set(key, (askedPerAccount.get(key) ?? 0) + 1);
      const entry = truth.get(key);
      if (entry === undefined && behaviour.unknownAccounts === "missing") {
        errorList.push({ To_Account: account, ErrorCode: REST_ERROR.notImported });
        continue;
      }
      const presence: AccountPresence =
        entry === undefined ? { status: "offline", platforms: {}, customStatus: null } : presenceOf(entry);
      results.push(queryResultOf(account, presence, checked.body));
    }
    return tencentReply(okBody(results, errorList));
  }

  /** Tencent's kick: the account's login state is invalidated, so it is Offline everywhere. */
  async function kick(request: Request, url: URL): Promise<Response> {
    const tally = stats.kicks;
    tally.calls += 1;
    const injected = await injectedFailure(tally);
    if (injected !== null) {
      tally.failed += 1;
      return injected;
    }
    const refuse = (errorCode: number, errorInfo: string) => {
      tally.failed += 1;
      count(tally.byErrorCode, errorCode);
      return tencentReply(failBody(errorCode, errorInfo));
    };
    const checked = await checkKick(request, url, serverContext());
    if (!checked.ok) return refuse(checked.errorCode, checked.errorInfo);
    const entry = truth.get(truthKey(checked.app, checked.account));
    if (entry === undefined && behaviour.unknownAccounts === "missing") {
      return refuse(REST_ERROR.notImported, "stand-in: this account was never set in the truth table");
    }
    if (entry !== undefined) {
      for (const platform of Object.keys(entry.platforms) as Platform[]) entry.platforms[platform] = "offline";
      // Tencent clears a custom status when its user goes offline.
      entry.customStatus = null;
    }
    tally.kicked += 1;
    return tencentReply(OK_BODY);
  }

  async function control(request: Request, url: URL): Promise<Response> {
    const parts = url.pathname.split("/").slice(1).map(decodeURIComponent);
    const [root, app, account] = parts;
    const method = request.method;
    if (root === "healthz" && parts.length === 1) return json({ ok: true });
    if (root === "stats" && parts.length === 1) {
      if (method === "GET") return json(stats);
      if (method === "DELETE") {
        stats = freshStats();
        askedPerAccount = new Map();
        return new Response(null, { status: 204 });
      }
    }
    if (root === "stats" && parts.length === 3 && app && account && method === "GET") {
      return json({ asked: askedPerAccount.get(truthKey(app, account)) ?? 0 });
    }
    if (root === "behaviour" && parts.length === 1) {
      if (method === "GET") return json(behaviour);
      if (method === "DELETE") {
        behaviour = { ...NORMAL };
        return json(behaviour);
      }
      if (method === "PUT") {
        const change = (await readJson(request)) as Partial<Behaviour> | undefined;
        if (typeof change !== "object" || change === null) return problem(400, "expected a JSON object");
        behaviour = { ...behaviour, ...change };
        return json(behaviour);
      }
    }
    if (root === "truth") {
      if (parts.length === 1 && method === "DELETE") {
        truth.clear();
        return new Response(null, { status: 204 });
      }
      if (parts.length === 2 && app && method === "POST") {
        const body = (await readJson(request)) as { accounts?: Record<string, unknown> } | undefined;
        if (typeof body?.accounts !== "object" || body.accounts === null) {
          return problem(400, 'expected {"accounts":{"<account>":{"platforms":{…}}}}');
        }
        const entries: [string, TruthEntry][] = [];
        for (const [id, value] of Object.entries(body.accounts)) {
          const entry = parseEntry(value);
          if (typeof entry === "string") return problem(400, `accounts.${id}: ${entry}`);
          entries.push([id, entry]);
        }
        for (const [id, entry] of entries) truth.set(truthKey(app, id), entry);
        return json({ set: entries.length });
      }
      if (parts.length === 3 && app && account) {
        const key = truthKey(app, account);
        if (method === "GET") {
          const entry = truth.get(key);
          return entry === undefined ? problem(404, "never set: answered Offline") : json(describeEntry(entry));
        }
        if (method === "DELETE") {
          truth.delete(key);
          return new Response(null, { status: 204 });
        }
        if (method === "PUT") {
          const entry = parseEntry(await readJson(request));
          if (typeof entry === "string") return problem(400, entry);
          truth.set(key, entry);
          return json(describeEntry(entry));
        }
      }
    }
    return problem(404, "no such route: see the header of scripts/lib/tencent-standin-core.ts");
  }

  return {
    /** Serves one request: Tencent's query_online_status or kick, or the control API. */
    async fetch(request: Request): Promise<Response> {
      const url = new URL(request.url);
      if (url.pathname === QUERY_ONLINE_STATUS_PATH) {
        if (request.method !== "POST") return tencentReply(failBody(REST_ERROR.httpParse, "use POST"), 405);
        return query(request, url);
      }
      if (url.pathname === KICK_PATH) {
        if (request.method !== "POST") return tencentReply(failBody(REST_ERROR.httpParse, "use POST"), 405);
        return kick(request, url);
      }
      return control(request, url);
    },
    stats: () => stats,
    truthSize: () => truth.size,
  };
}

export type TencentStandin = ReturnType<typeof createTencentStandin>;

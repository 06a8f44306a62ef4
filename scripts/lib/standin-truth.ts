// The Tencent stand-in's truth table, as the demo's tools set it. The stand-in answers Offline
// for every account it was never told about, so without this a user logged in with
// `npm run send` was "healed" to offline by the first staleness check. After their callbacks,
// `npm run send` and the simulator's scenarios set each account's truth to the presence the
// Worker shows (truthMirror), so reconciliation confirms what they sent. The lost-logouts
// scenario sets the truth itself and drops Logouts on purpose. One path writes the table:
// setTruth (POST /truth/{app}, routes in scripts/lib/tencent-standin-core.ts).
//
// Runs on Node 24 with type stripping: no enums, no parameter properties, `.ts` imports.
import type { ConnectionState } from "../../src/presence/types.ts";
import { toTencentStatus, type TencentStatus } from "../../src/tencent/rest/platforms.ts";
import type { PresenceSnapshot } from "./presence-text.ts";

/** One account's entry in the stand-in's truth table: each platform's state in Tencent's words. */
export interface TruthEntry {
  readonly platforms: Readonly<Record<string, TencentStatus>>;
  readonly customStatus?: string | null;
}

/** The stand-in takes this many accounts in one request at most (a bound of ours, not Tencent's). */
const ACCOUNTS_PER_REQUEST = 500;
const TIMEOUT_MS = 5_000;

/** The truth entry for what the read API shows: online → Online, disconnected → PushOnline. */
export function truthOf(snapshot: PresenceSnapshot): TruthEntry {
  const platforms: Record<string, TencentStatus> = {};
  for (const [platform, p] of Object.entries(snapshot.platforms ?? {})) {
    platforms[platform] = toTencentStatus(p.status as ConnectionState);
  }
  return { platforms, customStatus: snapshot.customStatus ?? null };
}

/** Sets the truth of many accounts of one app; throws with the stand-in's own message on a refusal. */
export async function setTruth(standin: string, app: string, entries: Readonly<Record<string, TruthEntry>>) {
  const all = Object.entries(entries);
  for (let i = 0; i < all.length; i += ACCOUNTS_PER_REQUEST) {
    const accounts = Object.fromEntries(all.slice(i, i + ACCOUNTS_PER_REQUEST));
    const res = await fetch(new URL(`/truth/${encodeURIComponent(app)}`, standin), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ accounts }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!res.ok)
      throw new Error(`the Tencent stand-in at ${standin} refused the truth: HTTP ${res.status} ${await res.text()}`);
  }
}

/** Whether a Tencent stand-in answers at this URL (its /healthz), within a second. */
export async function standinRunning(standin: string): Promise<boolean> {
  if (standin === "") return false;
  try {
    const res = await fetch(new URL("/healthz", standin), { signal: AbortSignal.timeout(1_000) });
    return res.ok && ((await res.json()) as { ok?: unknown }).ok === true;
  } catch {
    return false;
  }
}

export interface TruthMirror {
  /** Whether the stand-in runs (asked once); false too when `standin` is "" (left alone). */
  running(): Promise<boolean>;
  /** Sets each account's truth to the snapshot the Worker shows; false when the stand-in does not run. */
  follow(snapshots: Readonly<Record<string, PresenceSnapshot>>): Promise<boolean>;
}

export function truthMirror(standin: string, app: string): TruthMirror {
  let answers: Promise<boolean> | null = null;
  const running = () => (answers ??= standinRunning(standin));
  return {
    running,
    async follow(snapshots) {
      if (!(await running())) return false;
      const entries = Object.fromEntries(Object.entries(snapshots).map(([account, s]) => [account, truthOf(s)]));
      await setTruth(standin, app, entries);
      return true;
    },
  };
}

/** e.g. `iOS Online, Windows Offline` (or `no platform: Offline`), for a line saying what was set. */
export function describeTruth(entry: TruthEntry): string {
  const platforms = Object.entries(entry.platforms).map(([p, s]) => `${p} ${s}`);
  return platforms.length ? platforms.join(", ") : "no platform: Offline";
}

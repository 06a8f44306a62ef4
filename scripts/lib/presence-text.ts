// A user's presence and the watch messages as short readable lines, for the terminal tools:
// `npm run send` prints the presence after the reply, `npm run watch` every message. Pure
// (tested in test/node/presence-text.test.ts).
//
// Runs on Node 24 with type stripping: no enums, no parameter properties, `.ts` imports.

/** The read API's snapshot (GET /v1/apps/{app}/users/{account}), as far as a line needs it. */
export interface PresenceSnapshot {
  account?: string;
  status?: string;
  customStatus?: string | null;
  version?: number;
  platforms?: Record<string, { status: string; reason?: string; since?: number; clientIp?: string | null }>;
}

/** A time of day on this machine's clock, e.g. 14:03:07 (the demo runs here). */
export function clock(ms: number): string {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, "0")).join(":");
}

/** e.g. `alice is online: iOS online since 14:03:07 (Register), Windows offline since 14:03:07 (Kicked)`. */
export function presenceLine(account: string, s: PresenceSnapshot): string {
  if (s.status === "unknown" || s.status === undefined) return `${account} is unknown: never seen`;
  const platforms = Object.entries(s.platforms ?? {}).map(
    ([name, p]) =>
      `${name} ${p.status}${p.since === undefined ? "" : ` since ${clock(p.since)}`}${p.reason ? ` (${p.reason})` : ""}`,
  );
  const custom = s.customStatus ? `; custom status ${JSON.stringify(s.customStatus)}` : "";
  return `${account} is ${s.status}${platforms.length ? `: ${platforms.join(", ")}` : ""}${custom}`;
}

interface WatchEvent {
  type: string;
  timestamp?: string;
  data: {
    account: string;
    source?: string;
    platform?: string;
    from?: string | null;
    to?: string | null;
    reason?: string;
    by?: string;
  };
}

function eventLine(e: WatchEvent): string {
  const d = e.data;
  const at = e.timestamp ? `${clock(Date.parse(e.timestamp))} ` : "";
  const via = d.source === "reconcile" ? " [reconciled with Tencent]" : "";
  switch (e.type) {
    case "user.status_changed":
      return `${at}${d.account} ${d.from} → ${d.to}${via}`;
    case "device.status_changed":
      return `${at}${d.account} ${d.platform} ${d.from} → ${d.to}${d.reason ? ` (${d.reason})` : ""}${via}`;
    case "device.kicked":
      return `${at}${d.account} ${d.platform} kicked by ${d.by}`;
    case "user.custom_status_changed":
      return `${at}${d.account} custom status ${JSON.stringify(d.from ?? null)} → ${JSON.stringify(d.to ?? null)}`;
    default:
      return `${at}${d.account} ${e.type}`;
  }
}

/** One watch message (docs/WATCH.md) as a line; anything unexpected as its raw text. */
export function watchLine(raw: string): string {
  let message: { type?: string; snapshot?: PresenceSnapshot; event?: WatchEvent; error?: string; message?: string };
  try {
    message = JSON.parse(raw) as typeof message;
  } catch {
    return raw;
  }
  if (message.type === "snapshot" && message.snapshot) {
    return `${presenceLine(message.snapshot.account ?? "?", message.snapshot)}`;
  }
  if (message.type === "event" && message.event?.data) return eventLine(message.event);
  if (message.type === "error") return `refused (${message.error}): ${message.message}`;
  return raw;
}

// The API's answers as the console reads them (docs/API.md; openapi.json has the same shapes).

export type ConnectionState = "online" | "disconnected" | "offline";
export type UserStatus = ConnectionState | "unknown";

export interface PlatformSnapshot {
  status: ConnectionState;
  reason: string;
  since: number;
  clientIp: string | null;
}

export interface Snapshot {
  app: string;
  account: string;
  status: UserStatus;
  customStatus: string | null;
  onlineSince: number | null;
  lastSeen: number | null;
  updatedAt: number | null;
  version: number;
  platforms: Record<string, PlatformSnapshot>;
  kicks: { platform: string; at: number; by: string }[];
}

export interface HistoryEntry {
  seq: number;
  eventTime: number;
  receivedAt: number;
  action: string;
  reason: string;
  platform: string;
  clientIp: string | null;
  kicked: string[];
  outcome: "applied" | "duplicate" | "stale";
  status: UserStatus;
  /** "callback" or "reconcile", where the Worker reports it. */
  source?: string;
}

export interface Delivery {
  id: string;
  subscriber: string;
  type: string;
  seq: number;
  state: "pending" | "dead";
  attempts: number;
  nextAttemptAt: number | null;
  lastError: string | null;
}

/** POST …/users/{account}/kick: Tencent kicked; `verified` says whether the query right after answered. */
export interface KickAnswer {
  kicked: true;
  verified: boolean;
  corrected: boolean;
  snapshot: Snapshot | null;
  /** When not verified: why, and what happens next. */
  message?: string;
  errorCode?: number | null;
}

export interface ConfigSummary {
  apps: { app: string; callbackAuth: string; callbackTokens: number; reconcile: boolean }[];
  webhooks: { subscribers: { id: string; origin: string; events: string[] | null }[]; offlineGraceSeconds: number };
  reconcile: { afterSeconds: number | null; maxRps: number; restBaseUrl: string; adminIdentifier: string };
  retentionDays: number | null;
  logCallbacks: boolean;
  limits: Record<string, number>;
}

/** GET …/online: users online and disconnected, and per platform the users with it online. */
export interface OnlineCounts {
  app: string;
  online: number;
  disconnected: number;
  platforms: Record<string, number>;
  asOf: number;
}

/** A user of GET …/online/users. */
export interface OnlineUser {
  account: string;
  status: "online" | "disconnected";
  platforms: string[];
  since: number;
}

export type Resolution = "minute" | "hour" | "day";

/** A point of GET …/online/history: `online` at the bucket's end, `peak` and `min` within it. */
export interface CountsPoint {
  t: number;
  online: number;
  peak: number;
  min: number;
}

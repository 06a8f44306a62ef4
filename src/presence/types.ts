// The presence domain, free of Tencent's wire format and of any Workers API.

export const PLATFORMS = ["iOS", "Android", "Web", "Windows", "Mac", "iPad", "Linux", "RESTAPI", "Unknown"] as const;
export type Platform = (typeof PLATFORMS)[number];

export type ConnectionState = "online" | "disconnected" | "offline";
export type UserStatus = ConnectionState | "unknown";

export const ACTIONS = ["Login", "Logout", "Disconnect", "CustomStatusChange"] as const;
export type Action = (typeof ACTIONS)[number];

export type Outcome = "applied" | "duplicate" | "stale";

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };
/** A Tencent SDKAppID, digits only, as configured. */
export type AppId = Brand<string, "AppId">;
/** A Tencent UserID (`To_Account`): 1–128 bytes of UTF-8, any characters. */
export type AccountId = Brand<string, "AccountId">;
/** Milliseconds since the Unix epoch. */
export type EpochMs = number;

/** One State.StateChange callback, validated and normalised. Time arrives as data. */
export interface PresenceEvent {
  readonly action: Action;
  /** Reason as Tencent sent it (canonical spelling for known reasons, else as sent, bounded). */
  readonly reason: string;
  readonly platform: Platform;
  /** Tencent's EventTime, or the receive time when an old payload lacks it. */
  readonly eventTime: EpochMs;
  readonly receivedAt: EpochMs;
  readonly clientIp: string | null;
  /** Platforms this login kicked offline (Login only; empty otherwise), deduplicated. */
  readonly kicked: readonly Platform[];
  /** CustomStatusChange only: the new custom status, null when cleared. */
  readonly customStatus: string | null;
}

export interface PlatformState {
  readonly status: ConnectionState;
  readonly reason: string;
  /** EventTime of the change that put the platform in this state. */
  readonly since: EpochMs;
  readonly clientIp: string | null;
  /** Set when the platform was kicked: the platform whose login kicked it. */
  readonly by: Platform | null;
}

export interface Kick {
  readonly platform: Platform;
  readonly at: EpochMs;
  readonly by: Platform;
}

export interface PresenceState {
  readonly platforms: Readonly<Partial<Record<Platform, PlatformState>>>;
  readonly customStatus: string | null;
  /** EventTime of the last applied custom status change, null if never set. */
  readonly customStatusAt: EpochMs | null;
  readonly onlineSince: EpochMs | null;
  readonly lastSeen: EpochMs | null;
  /** Largest EventTime among applied changes, null if none. */
  readonly updatedAt: EpochMs | null;
  /** Applied changes so far. */
  readonly version: number;
  /** Newest first, bounded by KICK_LIMIT. */
  readonly kicks: readonly Kick[];
  /** Present once Tencent was asked about this user (see observation.ts); never shown. */
  readonly reconcile?: ReconcileMemory;
}

/**
 * What Tencent's `query_online_status` said about one user at Q, the Worker time the query
 * was sent. A platform not listed was offline at Q; an account Tencent does not know lists none.
 */
export interface Observation {
  readonly at: EpochMs;
  readonly platforms: Readonly<Partial<Record<Platform, ConnectionState>>>;
}

/** The callbacks' own state and the observations laid over it (see observation.ts). */
export interface ReconcileMemory {
  /** The state as the callbacks alone made it: the registers of reducer.ts. */
  readonly callbacks: PresenceState;
  /** Oldest first, deduplicated, bounded by OBSERVATION_LIMIT. */
  readonly observations: readonly Observation[];
}

/** What an applied change means to the outside world; webhooks are built from these. */
export type Effect =
  | { readonly kind: "user.status_changed"; readonly from: UserStatus; readonly to: UserStatus; readonly at: EpochMs }
  | {
      readonly kind: "device.status_changed";
      readonly platform: Platform;
      readonly from: ConnectionState | "unknown";
      readonly to: ConnectionState;
      readonly reason: string;
    }
  | { readonly kind: "device.kicked"; readonly platform: Platform; readonly by: Platform }
  | {
      readonly kind: "user.custom_status_changed";
      readonly from: string | null;
      readonly to: string | null;
    };

export type EffectKind = Effect["kind"];
export const EFFECT_KINDS: readonly EffectKind[] = [
  "user.status_changed",
  "device.status_changed",
  "device.kicked",
  "user.custom_status_changed",
];

export interface Reduction {
  readonly state: PresenceState;
  readonly outcome: Outcome;
  readonly effects: readonly Effect[];
}

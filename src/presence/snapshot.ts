import { userStatus } from "./reducer";
import type { AccountId, AppId, ConnectionState, Kick, Platform, PresenceState, UserStatus } from "./types";

export interface PlatformSnapshot {
  readonly status: ConnectionState;
  readonly reason: string;
  readonly since: number;
  readonly clientIp: string | null;
}

/** The read API's view of one user (docs/API.md). */
export interface Snapshot {
  readonly app: AppId;
  readonly account: AccountId;
  readonly status: UserStatus;
  readonly customStatus: string | null;
  readonly onlineSince: number | null;
  readonly lastSeen: number | null;
  readonly updatedAt: number | null;
  readonly version: number;
  readonly platforms: Partial<Record<Platform, PlatformSnapshot>>;
  readonly kicks: readonly Kick[];
}

export function toSnapshot(app: AppId, account: AccountId, state: PresenceState): Snapshot {
  const platforms: Partial<Record<Platform, PlatformSnapshot>> = {};
  for (const [name, p] of Object.entries(state.platforms)) {
    if (p) platforms[name as Platform] = { status: p.status, reason: p.reason, since: p.since, clientIp: p.clientIp };
  }
  return {
    app,
    account,
    status: userStatus(state.platforms),
    customStatus: state.customStatus,
    onlineSince: state.onlineSince,
    lastSeen: state.lastSeen,
    updatedAt: state.updatedAt,
    version: state.version,
    platforms,
    kicks: state.kicks,
  };
}

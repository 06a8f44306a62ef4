// Tencent's REST names for platforms and statuses (query_online_status `Detail`) against our
// canonical ones. ONE table serves both directions: reconciliation reads Tencent's answers
// through it, and the compatible query endpoint writes Tencent's names through it.
//
// Source: the query_online_status page (cloud.tencent.com/document/product/269/2566, English
// trtc.io/document/35477) shows `iPhone` and `Web` in its samples; Tencent's REST API SDK
// documents `Detail.Platform` as one of "iPhone", "Android", "Web", "PC", "iPad", "Mac".
// The names after the first in each row are spellings we also accept from Tencent (the
// callback's names, desktop names) so that a future or regional spelling does not become
// `Unknown`. See docs/TENCENT.md.
import type { ConnectionState, Platform, UserStatus } from "../../presence/types.ts";

/** [our platform, Tencent's REST name (written by us), further names accepted from Tencent]. */
export const PLATFORM_TABLE = [
  ["iOS", "iPhone", "iOS", "IOS"],
  ["Android", "Android"],
  ["Web", "Web"],
  ["Windows", "PC", "Windows"],
  ["Mac", "Mac", "macOS"],
  ["iPad", "iPad"],
  ["Linux", "Linux"],
  ["RESTAPI", "RESTAPI"],
  ["Unknown", "Unknown"],
] as const satisfies readonly (readonly [Platform, string, ...string[]])[];

export type TencentStatus = "Online" | "PushOnline" | "Offline";
export const TENCENT_STATUSES = ["Online", "PushOnline", "Offline"] as const satisfies readonly TencentStatus[];

/** [Tencent's status word, our connection state]. `PushOnline`: logged in, not connected. */
export const STATUS_TABLE = [
  ["Online", "online"],
  ["PushOnline", "disconnected"],
  ["Offline", "offline"],
] as const satisfies readonly (readonly [TencentStatus, ConnectionState])[];

const toTencent = new Map<Platform, string>(PLATFORM_TABLE.map(([ours, theirs]) => [ours, theirs]));
const fromTencent = new Map<string, Platform>(
  PLATFORM_TABLE.flatMap(([ours, ...names]) => names.map((name) => [name.toLowerCase(), ours] as const)),
);

/** Tencent's REST platform name as ours; matched case-insensitively, anything else `Unknown`. */
export function fromTencentPlatform(name: string): Platform {
  return fromTencent.get(name.trim().toLowerCase()) ?? "Unknown";
}

/** Our platform as Tencent's REST API names it. */
export function toTencentPlatform(platform: Platform): string {
  return toTencent.get(platform) ?? "Unknown";
}

const statusFromTencent = new Map<string, ConnectionState>(STATUS_TABLE);
const statusToTencent = new Map<ConnectionState, TencentStatus>(STATUS_TABLE.map(([t, ours]) => [ours, t]));

export function fromTencentStatus(status: TencentStatus): ConnectionState {
  return statusFromTencent.get(status) ?? "offline";
}

/** Our status as Tencent's word; a never-seen user (`unknown`) is `Offline`, as Tencent says of it. */
export function toTencentStatus(status: UserStatus | ConnectionState): TencentStatus {
  return status === "unknown" ? "Offline" : (statusToTencent.get(status) ?? "Offline");
}

import { PLATFORMS, type Platform } from "../presence/types";

// Tencent spells platforms differently per field and per document: OptPlatform says
// `IOS`, KickedDevice says `iOS`, English docs say `macOS`. One canonical set lets a
// kick of `iOS` hit the platform that `OptPlatform=IOS` logged in.
const ALIASES = new Map<string, Platform>([...PLATFORMS.map((p) => [p.toLowerCase(), p] as const), ["macos", "Mac"]]);

export function normalisePlatform(raw: string | null | undefined): Platform {
  if (raw === null || raw === undefined) return "Unknown";
  return ALIASES.get(raw.trim().toLowerCase()) ?? "Unknown";
}

// What the who-is-online endpoints (SPEC §12) share: their answer when the index is off.
import { howToSet, type Config } from "../config";
import { apiError } from "./responses";

/** The 409 of every /online endpoint with ONLINE_INDEX=off; null when the index is on. */
export function indexOff(config: Config): Response | null {
  if (config.onlineIndex) return null;
  return apiError(
    409,
    "not_configured",
    `the who-is-online index is off (ONLINE_INDEX=off): set ONLINE_INDEX=on; ${howToSet("ONLINE_INDEX")}`,
  );
}

// What the who-is-online endpoints (SPEC §12) share: their answer when the index is off, and
// how their query parameters spell a whole number.
import * as z from "zod/mini";
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

/** A query parameter holding a whole number from `min` to `max`; `what` says what it is. */
export const wholeParam = (min: number, max: number, what = "a whole number") => {
  const message = `must be ${what} from ${min} to ${max}`;
  return z
    .pipe(z.string().check(z.regex(/^\d{1,16}$/, message)), z.transform(Number))
    .check(z.refine((n) => n >= min && n <= max, message));
};

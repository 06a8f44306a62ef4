// The query string of Tencent's callback, for openapi.json only. The callback route reads
// these parameters by hand (names in any case, first value wins: src/tencent/query.ts), so
// this schema documents them; the body is documented by the schema that validates it.
import * as z from "zod/mini";
import { described as describe } from "../lib/schema-docs";

export const callbackQuery = z.object({
  SdkAppid: describe(
    z.string().check(z.regex(/^\d{1,20}$/)),
    "The app's SDKAppID: one of IM_SDKAPPIDS (else 403). Names match in any case.",
  ),
  CallbackCommand: describe(z.string(), "`State.StateChange` is stored; any other command is answered OK and ignored."),
  contenttype: z.optional(describe(z.literal("json"), "Always `json`.")),
  ClientIP: z.optional(describe(z.string().check(z.maxLength(64)), "The client's IP, kept with the platform's state.")),
  OptPlatform: z.optional(
    describe(
      z.string(),
      "The platform that changed (`IOS`, `Android`, `Web`, `Windows`, `Mac`, `iPad`, …), normalised.",
    ),
  ),
  RequestTime: z.optional(
    describe(
      z.string().check(z.regex(/^\d+$/)),
      "Unix seconds; within ±60 s of the Worker's clock. Required with a callback token.",
    ),
  ),
  Sign: z.optional(
    describe(
      z.string().check(z.regex(/^[0-9a-f]{64}$/)),
      "Lowercase hex sha256(token + RequestTime). Required with a callback token.",
    ),
  ),
});

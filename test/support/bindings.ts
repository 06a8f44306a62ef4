// Configuration every test isolate starts with. Plain values, no secrets of any real app.
export const TEST_APP = "1400000001";
export const OTHER_APP = "1400000002";
export const UNSIGNED_APP = "1400000003";
/** Configured with the token of Tencent's documented signature example. */
export const DOC_VECTOR_APP = "1400000004";
export const DOC_VECTOR_TOKEN = "xxxxyyyy";
export const TEST_CALLBACK_TOKEN = "test-callback-token";
export const OTHER_CALLBACK_TOKEN = "other-app-token";
export const TEST_API_TOKEN = "test-api-token";
export const ROTATED_API_TOKEN = "rotated-api-token";
/** The IM secret key of every test app (UserSig); a test value in the console's format. */
export const TEST_IM_SECRET_KEY = "9c3a7f1e5b2d8c4a6e0f1b3d5c7a9e2f4b6d8a0c2e4f6a8b0d2c4e6f8a0b2c4d";

export const TEST_BINDINGS = {
  IM_SDKAPPIDS: `${TEST_APP},${OTHER_APP},${UNSIGNED_APP},${DOC_VECTOR_APP}`,
  IM_CALLBACK_TOKEN: TEST_CALLBACK_TOKEN,
  [`IM_CALLBACK_TOKEN_${OTHER_APP}`]: `${OTHER_CALLBACK_TOKEN},second-${OTHER_CALLBACK_TOKEN}`,
  [`IM_CALLBACK_TOKEN_${UNSIGNED_APP}`]: "",
  [`IM_CALLBACK_TOKEN_${DOC_VECTOR_APP}`]: DOC_VECTOR_TOKEN,
  IM_ALLOW_UNSIGNED: "false",
  API_TOKENS: `${TEST_API_TOKEN},${ROTATED_API_TOKEN}`,
  HISTORY_LIMIT: "20",
  OFFLINE_GRACE_SECONDS: "0",
  RETENTION_DAYS: "",
  WEBHOOK_SUBSCRIBERS: "[]",
  IM_SECRET_KEY: TEST_IM_SECRET_KEY,
} satisfies Record<string, string>;

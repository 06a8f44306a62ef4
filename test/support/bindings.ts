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
} satisfies Record<string, string>;

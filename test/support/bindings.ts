// Configuration every test isolate starts with. Plain values, no secrets of any real app.
export const TEST_APP = "1400000001";
export const OTHER_APP = "1400000002";
export const UNSIGNED_APP = "1400000003";
/** Configured with the token of Tencent's documented signature example. */
export const DOC_VECTOR_APP = "1400000004";
export const DOC_VECTOR_TOKEN = "xxxxyyyy";
export const TEST_CALLBACK_TOKEN = "test-callback-token";
export const OTHER_CALLBACK_TOKEN = "other-app-token";
/** The one app with a secret key: reconciliation runs for it only (test/support/fake-tencent.ts). */
export const RECONCILE_APP = "1400000005";
/** A secret key in the console's format (64 hex characters); no real app's. */
export const RECONCILE_SECRET_KEY = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";
export const TEST_REST_BASE_URL = "https://tencent.test";
export const TEST_RECONCILE_MAX_RPS = 2;
export const TEST_API_TOKEN = "test-api-token";
export const ROTATED_API_TOKEN = "rotated-api-token";

export const TEST_BINDINGS = {
  IM_SDKAPPIDS: `${TEST_APP},${OTHER_APP},${UNSIGNED_APP},${DOC_VECTOR_APP},${RECONCILE_APP}`,
  [`IM_SECRET_KEY_${RECONCILE_APP}`]: RECONCILE_SECRET_KEY,
  IM_REST_BASE_URL: TEST_REST_BASE_URL,
  RECONCILE_MAX_RPS: String(TEST_RECONCILE_MAX_RPS),
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

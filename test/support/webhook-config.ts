// Webhook subscribers for the test projects that run with webhooks on (vitest.config.ts).
// Plain data, importable from Node (the vitest config) and from workerd (the tests).
import { TEST_BINDINGS } from "./bindings.ts";

export const ALL_SUBSCRIBER = {
  id: "all",
  url: "https://hooks.test/all",
  secret: "whsec_dGVzdC1zdWJzY3JpYmVyLWFsbC1zZWNyZXQ=",
} as const;
/** Wants user-level status changes only. */
export const STATUS_SUBSCRIBER = {
  id: "status",
  url: "https://status.test/hooks",
  secret: "whsec_dGVzdC1zdWJzY3JpYmVyLXN0YXR1cy1zZWNyZXQ=",
  events: ["user.status_changed"],
} as const;

export const GRACE_SECONDS = 60;
export const RETENTION_DAYS = 1;

// Projects pick their tests by folder: a test that needs a subscriber configuration (webhooks,
// and the reconcile and watch tests that check what subscribers get) goes in
// test/with-subscribers/ (two subscribers), test/with-subscribers/grace/ (two subscribers, a
// grace period and retention), or test/with-subscribers/cost/ (runs in every project: it
// measures rows written with 0, 1 and 2).
/** Test folders the default project leaves out: they need subscribers. */
export const WEBHOOK_ONLY_TESTS = ["test/with-subscribers/*.test.ts", "test/with-subscribers/grace/**"];
const COST_TESTS = "test/with-subscribers/cost/**/*.test.ts";

export const WEBHOOK_PROJECTS = [
  {
    name: "webhooks",
    include: ["test/with-subscribers/*.test.ts", COST_TESTS],
    bindings: { ...TEST_BINDINGS, WEBHOOK_SUBSCRIBERS: JSON.stringify([ALL_SUBSCRIBER, STATUS_SUBSCRIBER]) },
  },
  {
    name: "webhooks-single",
    include: [COST_TESTS],
    bindings: { ...TEST_BINDINGS, WEBHOOK_SUBSCRIBERS: JSON.stringify([ALL_SUBSCRIBER]) },
  },
  {
    name: "webhooks-grace",
    include: ["test/with-subscribers/grace/**/*.test.ts"],
    bindings: {
      ...TEST_BINDINGS,
      WEBHOOK_SUBSCRIBERS: JSON.stringify([ALL_SUBSCRIBER, STATUS_SUBSCRIBER]),
      OFFLINE_GRACE_SECONDS: String(GRACE_SECONDS),
      RETENTION_DAYS: String(RETENTION_DAYS),
    },
  },
];

// The simulator's command line: shared options and the per-scenario ones.
import { fail, intOption, readCommandLine } from "../lib/cli.ts";
import type { ApiTarget, CallbackTarget } from "../lib/tencent-client.ts";

export interface Options {
  callback: CallbackTarget;
  api: ApiTarget;
  /** The account (or account prefix) to use instead of the scenario's own. */
  user: string | undefined;
  delay: number;
  cycles: number;
  seed: number;
  /** load: users (default 100); lost-logouts: users (default 30); online-day: users (default 200). */
  users: number | null;
  /** online-day: how long the compressed day takes, in seconds. */
  seconds: number;
  events: number;
  tencent: string;
  interval: number;
  margin: number;
  concurrency: number;
  json: boolean;
}

export function usage(scenarios: string): string {
  return `usage: npm run simulate -- [options] <scenario>
       npm run simulate -- list         (or no scenario: the scenarios, one line each)

scenarios:
${scenarios}

options:
  --url URL            Worker base URL             (default http://127.0.0.1:8787, as npm start serves)
  --app ID             SDKAppID                    (default 1400000000)
  --token TOKEN        callback token, "" = unsigned (default demo-callback-token)
  --api-token TOKEN    read API bearer token       (default demo-api-token)
  --user ID            account (prefix for shuffled and load) instead of the scenario's own:
                       sim-day, sim-flapping, sim-shuffled-<time>, sim-load-<time>, sim-online
  --delay MS           pause between callbacks     (default 0; try 500 to watch a demo)
  --cycles N           flapping: reconnect cycles  (default 8)
  --seed N             shuffled, online-day: seed  (default 42)
  --users N            load / lost-logouts / online-day: users (default 100 / 30 / 200)
  --seconds S          online-day: the day's length (default 300: a morning ramp, an evening drop)
  --events N           load: events per user       (default 10)
  --concurrency N      load: callbacks in flight   (default 16)
  --tencent URL        the Tencent stand-in (default http://127.0.0.1:8790, npm run tencent): when it
                       runs, each scenario sets its users' truth there to what the Worker shows
                       ("" leaves it alone); lost-logouts needs it
  --interval S         lost-logouts: the Worker's RECONCILE_AFTER_SECONDS (default 20, as in demo.env)
  --margin S           lost-logouts: how long past it a ghost may take to heal (default 20)
  --json               also print the raw snapshot JSON
  -h, --help`;
}

/** The scenario named (null for none or "list") and the options; exits on --help or a usage error. */
export function parse(argv: string[], scenarios: string): { scenario: string | null; opts: Options } {
  const { values, positionals } = readCommandLine(
    {
      name: "npm run simulate",
      usage: usage(scenarios),
      positionals: true,
      options: {
        url: { type: "string", default: "http://127.0.0.1:8787" },
        app: { type: "string", default: "1400000000" },
        token: { type: "string", default: "demo-callback-token" },
        "api-token": { type: "string", default: "demo-api-token" },
        user: { type: "string" },
        delay: { type: "string", default: "0" },
        cycles: { type: "string", default: "8" },
        seed: { type: "string", default: "42" },
        users: { type: "string" },
        seconds: { type: "string", default: "300" },
        events: { type: "string", default: "10" },
        concurrency: { type: "string", default: "16" },
        tencent: { type: "string", default: "http://127.0.0.1:8790" },
        interval: { type: "string", default: "20" },
        margin: { type: "string", default: "20" },
        json: { type: "boolean", default: false },
      },
    },
    argv,
  );
  if (positionals.length > 1) {
    fail(`one scenario at a time, got ${positionals.join(" ")} (npm run simulate -- --help for the usage)`, 2);
  }
  const url = values.url;
  const app = values.app;
  const named = positionals[0];
  return {
    scenario: named === undefined || named === "list" ? null : named,
    opts: {
      callback: { url, app, token: values.token === "" ? null : values.token },
      api: { url, app, apiToken: values["api-token"] },
      user: values.user,
      delay: intOption("delay", values.delay, 0),
      cycles: intOption("cycles", values.cycles, 1),
      seed: intOption("seed", values.seed, 0),
      users: values.users === undefined ? null : intOption("users", values.users, 1),
      seconds: intOption("seconds", values.seconds, 1),
      events: intOption("events", values.events, 1),
      concurrency: intOption("concurrency", values.concurrency, 1),
      tencent: values.tencent,
      interval: intOption("interval", values.interval, 1),
      margin: intOption("margin", values.margin, 0),
      json: values.json,
    },
  };
}

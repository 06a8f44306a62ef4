// What one bench run measures and for how long: the full profile (the published figures) and
// the smoke profile (seconds per phase: checks that the machinery works, not the figures),
// plus the configuration every Worker under test gets.

import { fail, intOption, readCommandLine } from "../../scripts/lib/cli.ts";
import { MIXES, type Mix } from "./workload.ts";

export interface Profile {
  name: "full" | "smoke";
  users: number;
  /** Connection counts of the closed-loop phases (each ingest phase runs at every one of them). */
  connections: number[];
  /** Callback mixes of the steady-ingest phase (each runs at every connection count). */
  mixes: Mix[];
  /** Seconds of each closed-loop phase per target (split over the alternating rounds). */
  steadySec: number;
  dupSec: number;
  firstTouchSec: number;
  rateSec: number;
  rate: number;
  batchSize: number;
  batchRequests: number;
  probeEach: number;
  webhookCallbacks: number;
  /**
   * Each phase is split in at least this many alternating rounds between references and Worker
   * (more where several targets take turns: bench/phases/ingest.ts, roundsOf).
   */
  rounds: number;
  /** Storage placements measured; disk runs only the largest connection count and the first mix. */
  placements: ("disk" | "tmpfs")[];
  /** Optional phases, each measured when the Worker has what it needs (see bench/phases/). */
  extras: {
    tencentQuery: boolean;
    reconcile: { users: number } | null;
    watch: { watchers: number } | null;
    online: OnlineProfile | null;
  };
}

/** What the who-is-online phase (bench/phases/online.ts) asks, besides the population and load. */
export interface OnlineProfile {
  /** GET /online requests, one at a time, with the population online and nothing else running. */
  reads: number;
  /** First pages of GET /online/users?limit=1000, one at a time, likewise. */
  pages: number;
  /** update() calls driven straight at one shard (its own rate). */
  driveCalls: number;
}

const FULL: Profile = {
  name: "full",
  users: 2000,
  connections: [8, 20, 32],
  mixes: ["login-logout", "login-login-logout"],
  // Long enough, and alternated often enough, that a cell moves by a few hundredths between
  // runs rather than ±0.07 (8 s in 2 rounds did); first touch stays at 6 s, as every callback
  // opens an object's files and local workerd's open-files limit bounds how many stay open.
  steadySec: 12,
  dupSec: 10,
  firstTouchSec: 6,
  rateSec: 10,
  rate: 1000,
  batchSize: 500,
  batchRequests: 40,
  probeEach: 10,
  webhookCallbacks: 40,
  rounds: 4,
  placements: ["tmpfs", "disk"],
  extras: {
    tencentQuery: true,
    reconcile: { users: 10_000 },
    watch: { watchers: 100 },
    online: { reads: 200, pages: 40, driveCalls: 20_000 },
  },
};

const SMOKE: Profile = {
  name: "smoke",
  users: 60,
  connections: [8],
  mixes: ["login-logout", "login-login-logout"],
  steadySec: 1,
  dupSec: 1,
  firstTouchSec: 1,
  rateSec: 1,
  rate: 200,
  batchSize: 60,
  batchRequests: 3,
  probeEach: 2,
  webhookCallbacks: 3,
  rounds: 1,
  // tmpfs only: disk runs the same code against another directory, slowly on a busy machine.
  placements: ["tmpfs"],
  extras: {
    tencentQuery: true,
    reconcile: { users: 200 },
    watch: { watchers: 5 },
    online: { reads: 10, pages: 3, driveCalls: 500 },
  },
};

export interface Args {
  smoke: boolean;
  strict: boolean;
  out: string | undefined;
  profile: Profile;
}

const list = (s: string) => s.split(",").map((v) => v.trim());

const USAGE = `usage: npm run bench -- [options]          (npm run bench:smoke: seconds-long, checks the machinery)

Builds the Worker, runs it and two reference Workers on local workerd, and measures each
phase (docs/PERFORMANCE.md). A full run writes bench/results.json, bench/charts/ and the
figures of docs/PERFORMANCE.md; a --smoke run writes bench/out/.

options:
  --smoke              the smoke profile (seconds per phase)
  --strict             exit 1 when a check fails too, not only when a phase got no answer
  --connections N,N    connection counts of the closed-loop phases (default 8,20,32)
  --mixes M,M          steady-ingest mixes: ${Object.keys(MIXES).join(", ")}
  --users N            users of the ingest phases (default 2000)
  --seconds S          seconds of each closed-loop phase
  --rounds N           alternating rounds per phase, at least (default 4; more where
                       several targets take turns, so that none idles over 4 s)
  --placements P,P     tmpfs, disk (default both)
  --skip-extras        no Tencent-query, reconcile, watch or who-is-online phase
  --out FILE           write the results there (and the charts beside it) instead
  -h, --help`;

export function readArgs(argv = process.argv.slice(2)): Args {
  const { values } = readCommandLine(
    {
      name: "npm run bench",
      usage: USAGE,
      options: {
        smoke: { type: "boolean", default: false },
        strict: { type: "boolean", default: false },
        connections: { type: "string" },
        mixes: { type: "string" },
        users: { type: "string" },
        seconds: { type: "string" },
        rounds: { type: "string" },
        placements: { type: "string" },
        "skip-extras": { type: "boolean", default: false },
        out: { type: "string" },
      },
    },
    argv,
  );
  const base = values.smoke ? SMOKE : FULL;
  const profile: Profile = { ...base, extras: { ...base.extras } };
  if (values.connections) profile.connections = list(values.connections).map((n) => intOption("connections", n, 1));
  if (values.mixes) {
    profile.mixes = list(values.mixes) as Mix[];
    const unknown = profile.mixes.find((m) => !Object.hasOwn(MIXES, m));
    if (unknown !== undefined) {
      fail(`--mixes: unknown mix ${JSON.stringify(unknown)}: one of ${Object.keys(MIXES).join(", ")}`, 2);
    }
  }
  if (values.users) profile.users = intOption("users", values.users, 1);
  if (values.rounds) profile.rounds = intOption("rounds", values.rounds, 1);
  if (values.placements) {
    profile.placements = list(values.placements) as Profile["placements"];
    const unknown = profile.placements.find((p) => p !== "tmpfs" && p !== "disk");
    if (unknown !== undefined) fail(`--placements: unknown placement ${JSON.stringify(unknown)}: tmpfs or disk`, 2);
  }
  if (values.seconds) {
    profile.steadySec =
      profile.dupSec =
      profile.firstTouchSec =
      profile.rateSec =
        intOption("seconds", values.seconds, 1);
  }
  if (values["skip-extras"]) profile.extras = { tencentQuery: false, reconcile: null, watch: null, online: null };
  return { smoke: values.smoke, strict: values.strict, out: values.out, profile };
}

export const APP = "1400000000";
/** A second app, for the who-is-online phase's freshness probes (bench/phases/online.ts). */
export const PROBE_APP = "1400000001";
export const CALLBACK_TOKEN = "bench-callback-token";
export const API_TOKEN = "bench-api-token";

/**
 * Bindings for the real Worker: no webhook subscribers (added only for the webhook phase) and
 * nothing else that changes what a callback costs, so the figures are those of the defaults
 * (LOG_CALLBACKS unset, reconciliation off).
 */
export const PE_BINDINGS: Record<string, string> = {
  IM_SDKAPPIDS: APP,
  IM_CALLBACK_TOKEN: CALLBACK_TOKEN,
  API_TOKENS: API_TOKEN,
  IM_ALLOW_UNSIGNED: "false",
  OFFLINE_GRACE_SECONDS: "0",
  HISTORY_LIMIT: "100",
};

const started = Date.now();
export const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)}s`;
export const secondsSinceStart = () => Math.round((Date.now() - started) / 1000);
export const log = (s: string) => console.log(s);

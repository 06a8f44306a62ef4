// lost-logouts: ghosts healed by reconciliation, against a running Worker (`npm start`) and the
// local Tencent stand-in (`npm run tencent`).
//
// Users log in (callbacks sent, Tencent's truth online); then they log out: Tencent's truth
// turns offline at once, but the Logout callbacks of every third user are dropped on the way
// (ghosts). Some users stay online for real. The scenario polls the batch query until every
// ghost is shown offline, and fails if that takes longer than the staleness interval plus a
// margin, or if a user who is really online was touched.
//
// `npm run simulate:lost-logouts -- --help` for the options; --interval must match the Worker's
// RECONCILE_AFTER_SECONDS (demo.env). Runs on Node 24.
import { forEachLimited } from "../../src/lib/pool.ts";
import { intOption, reaching, readCommandLine } from "../lib/cli.ts";
import { setTruth, type TruthEntry } from "../lib/standin-truth.ts";
import { queryPresence, sendCallback, theWorker, type ApiTarget, type CallbackTarget } from "../lib/tencent-client.ts";

export interface LostLogoutsOptions {
  readonly callback: CallbackTarget;
  readonly api: ApiTarget;
  /** Base URL of the Tencent stand-in (its truth table and stats). */
  readonly tencent: string;
  readonly users: number;
  /** The Worker's RECONCILE_AFTER_SECONDS, in ms. */
  readonly intervalMs: number;
  /** How long past the interval a ghost may take to heal (the gathering wait, a slow machine). */
  readonly marginMs: number;
}

type Snapshot = { account: string; status: string; platforms: Record<string, { reason: string; since: number }> };

/** True when every ghost was healed in time and nobody else was changed. */
export async function runLostLogouts(o: LostLogoutsOptions): Promise<boolean> {
  const run = Date.now().toString(36);
  const accounts = Array.from({ length: o.users }, (_, i) => `lost-${run}-${i}`);
  // Every third user's Logout is lost; every fifth of the others stays online for real.
  const ghost = (i: number) => i % 3 === 0;
  const staysOnline = (i: number) => !ghost(i) && i % 5 === 1;

  const standin = {
    what: "the Tencent stand-in",
    url: o.tencent,
    fix: "start it with `npm run tencent`, or give its --tencent URL",
  };
  const worker = theWorker(o.callback.url);
  const stats = async (): Promise<{ calls: number; accountsAsked: number }> => {
    const res = await reaching(standin, fetch(new URL("/stats", o.tencent), { signal: AbortSignal.timeout(10_000) }));
    if (!res.ok) throw new Error(`the Tencent stand-in's /stats: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as { calls: number; accountsAsked: number };
  };
  const online: TruthEntry = { platforms: { iPhone: "Online" } };
  const offline: TruthEntry = { platforms: {} };
  const tell = (truth: Record<string, TruthEntry>) => reaching(standin, setTruth(o.tencent, o.callback.app, truth));
  const send = async (account: string, action: "Login" | "Logout") => {
    const r = await reaching(
      worker,
      sendCallback(o.callback, { account, action, platform: "IOS", eventTime: Date.now() }),
    );
    if (r.status !== 200) throw new Error(`${action} ${account}: HTTP ${r.status} ${r.body}`);
  };
  const snapshots = async (): Promise<Snapshot[]> => {
    const r = await reaching(worker, queryPresence(o.api, accounts));
    if (r.status !== 200) throw new Error(`presence query: HTTP ${r.status} ${JSON.stringify(r.json)}`);
    return (r.json as { results: Snapshot[] }).results;
  };

  const before = await stats();
  // 1. Everyone logs in, and Tencent knows it.
  await tell(Object.fromEntries(accounts.map((a) => [a, online])));
  await forEachLimited(accounts, 16, (a) => send(a, "Login"));
  // 2. Most log out: Tencent knows at once and sends the callback, but the ghosts' never arrive.
  const loggedOutAt = Date.now();
  await forEachLimited([...accounts.entries()], 16, async ([i, a]) => {
    if (staysOnline(i)) return;
    await tell({ [a]: offline });
    if (!ghost(i)) await send(a, "Logout");
  });
  const ghosts = accounts.filter((_, i) => ghost(i));
  const reallyOnline = accounts.filter((_, i) => staysOnline(i));
  let last = await snapshots();
  const shownOnline = last.filter((s) => ghosts.includes(s.account) && s.status === "online").length;
  console.log(
    `${o.users} users: ${ghosts.length} Logouts dropped (ghosts shown online: ${shownOnline}), ${reallyOnline.length} really online`,
  );

  // 3. Wait for reconciliation: every ghost offline, the real ones untouched.
  const deadline = loggedOutAt + o.intervalMs + o.marginMs;
  let healedAt: number | null = null;
  while (Date.now() < deadline) {
    last = await snapshots();
    const remaining = last.filter((s) => ghosts.includes(s.account) && s.status !== "offline").length;
    if (remaining === 0) {
      healedAt = Date.now();
      break;
    }
    process.stdout.write(`\r${ghosts.length - remaining}/${ghosts.length} ghosts healed…`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  process.stdout.write("\n");

  const after = await stats();
  console.log(
    `Tencent stand-in: ${after.calls - before.calls} calls, ${after.accountsAsked - before.accountsAsked} accounts asked`,
  );
  if (healedAt === null) {
    console.error(`FAIL: ghosts still online ${Math.round((deadline - loggedOutAt) / 1000)} s after the lost Logouts`);
    return false;
  }
  const reasons = new Set(last.filter((s) => ghosts.includes(s.account)).map((s) => s.platforms.iOS?.reason));
  console.log(
    `every ghost healed ${((healedAt - loggedOutAt) / 1000).toFixed(1)} s after its lost Logout ` +
      `(interval ${o.intervalMs / 1000} s); reasons: ${[...reasons].join(", ")}`,
  );
  const touched = last.filter(
    (s) => reallyOnline.includes(s.account) && (s.status !== "online" || s.platforms.iOS?.reason !== "Register"),
  );
  if (touched.length > 0) {
    console.error(`FAIL: ${touched.length} users who are really online were changed`);
    return false;
  }
  console.log("OK: every ghost healed, nobody else changed");
  return true;
}

if (import.meta.main) {
  const { values } = readCommandLine({
    name: "npm run simulate:lost-logouts",
    usage: `usage: npm run simulate:lost-logouts -- [options]

Drops every third Logout on its way to the Worker and waits until reconciliation with the
Tencent stand-in heals each ghost. Needs \`npm start\` and \`npm run tencent\` running.

options:
  --url URL          the Worker (default http://127.0.0.1:8787, as npm start serves it)
  --tencent URL      the Tencent stand-in (default http://127.0.0.1:8790, as npm run tencent serves it)
  --app ID           SDKAppID (default 1400000000)
  --token TOKEN      callback token (default demo-callback-token)
  --api-token TOKEN  read API token (default demo-api-token)
  --users N          users (default 30)
  --interval S       the Worker's RECONCILE_AFTER_SECONDS (default 20, as in demo.env)
  --margin S         how long past it a ghost may take to heal (default 20)
  -h, --help`,
    options: {
      url: { type: "string", default: "http://127.0.0.1:8787" },
      tencent: { type: "string", default: "http://127.0.0.1:8790" },
      app: { type: "string", default: "1400000000" },
      token: { type: "string", default: "demo-callback-token" },
      "api-token": { type: "string", default: "demo-api-token" },
      users: { type: "string", default: "30" },
      interval: { type: "string", default: "20" },
      margin: { type: "string", default: "20" },
    },
  });
  const ok = await runLostLogouts({
    callback: { url: values.url, app: values.app, token: values.token },
    api: { url: values.url, app: values.app, apiToken: values["api-token"] },
    tencent: values.tencent,
    users: intOption("users", values.users, 1),
    intervalMs: intOption("interval", values.interval, 1) * 1000,
    marginMs: intOption("margin", values.margin, 0) * 1000,
  });
  process.exit(ok ? 0 : 1);
}

// presence-edge callback simulator.
//
//   npm run simulate -- [options] <scenario>     (npm run simulate -- list: the scenarios)
//
// Sends realistic, correctly signed Tencent Cloud IM State.StateChange callbacks to a running
// presence-edge (by default the local demo of `npm start`), prints one short line per callback
// and then the presence read back from the read API. Each scenario uses its own accounts
// (sim-…), so it never touches the README's alice, bob and carol; --user picks others.
// Event times are generated relative to the current clock, so scenarios can be re-run against
// the same storage. When the Tencent stand-in runs (`npm run tencent`), each user's truth there
// is set to what the Worker shows after each callback, so reconciliation confirms what was sent
// (lost-logouts sets its own truth). The scenarios live in scripts/sim/.
import { runDay } from "./sim/day-in-the-life.ts";
import { runFlapping } from "./sim/flapping.ts";
import { runLoad } from "./sim/load.ts";
import { runLostLogouts } from "./sim/lost-logouts.ts";
import { runOnlineDay } from "./sim/online-day.ts";
import { fail } from "./lib/cli.ts";
import { parse, type Options } from "./sim/options.ts";
import { problems, standin } from "./sim/output.ts";
import { runShuffled } from "./sim/shuffled.ts";

const SCENARIOS: Record<string, { summary: string; run: (o: Options) => Promise<void> }> = {
  "day-in-the-life": {
    summary: "one user's day: logins on three devices, a kick, background, airplane mode, status, logout",
    run: runDay,
  },
  flapping: { summary: "a connection that drops and comes back every few seconds (--cycles)", run: runFlapping },
  shuffled: {
    summary: "the same events in order and shuffled with duplicates: both users must end the same",
    run: runShuffled,
  },
  load: { summary: "--users × --events callbacks, --concurrency in flight, then all read back", run: runLoad },
  "online-day": {
    summary: "--users online and off over a day of --seconds: a morning ramp, an evening drop (who is online)",
    run: runOnlineDay,
  },
  "lost-logouts": {
    summary: "every third Logout lost on the way; reconciliation heals each ghost (needs npm run tencent)",
    run: async (o) => {
      const healed = await runLostLogouts({
        callback: o.callback,
        api: o.api,
        tencent: o.tencent,
        users: o.users ?? 30,
        intervalMs: o.interval * 1000,
        marginMs: o.margin * 1000,
      });
      if (!healed) problems.count++;
    },
  },
};

const list = Object.entries(SCENARIOS)
  .map(([name, s]) => `  ${name.padEnd(16)} ${s.summary}`)
  .join("\n");
const { scenario, opts } = parse(process.argv.slice(2), list);
if (scenario === null) {
  console.log(`scenarios (npm run simulate -- <scenario>; --help for options):\n${list}`);
  process.exit(0);
}
const chosen = SCENARIOS[scenario];
if (!chosen) {
  fail(`unknown scenario ${JSON.stringify(scenario)}: one of ${Object.keys(SCENARIOS).join(", ")}`, 2);
}
// lost-logouts sets the stand-in's truth itself (and then drops Logouts on purpose).
if (scenario !== "lost-logouts" && (await standin(opts).running())) {
  console.log(`(the Tencent stand-in at ${opts.tencent} follows: each user's truth there is what the Worker shows)`);
}
await chosen.run(opts);
if (problems.count > 0) {
  console.log(`\n${problems.count} problem(s): non-200 replies or unexpected presence`);
  process.exit(1);
}

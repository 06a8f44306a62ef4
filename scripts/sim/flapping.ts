// flapping: a connection that drops and comes back every few seconds.
import type { Options } from "./options.ts";
import { send, showUser } from "./output.ts";

export async function runFlapping(opts: Options): Promise<void> {
  const account = opts.user ?? "sim-flapping";
  const period = 3000; // reconnects every 3 s of event time
  const start = Date.now() - (opts.cycles * 2 + 1) * period;
  console.log(
    `flapping ${account}: ${opts.cycles} drop/reconnect cycles, ${period / 1000}s apart → ${opts.callback.url}`,
  );
  let t = start;
  await send(opts, { account, action: "Login", platform: "Android", clientIp: "192.0.2.7", eventTime: t });
  for (let i = 0; i < opts.cycles; i++) {
    t += period;
    const reason = i % 3 === 2 ? "TimeOut" : "LinkClose";
    await send(opts, {
      account,
      action: "Disconnect",
      reason,
      platform: "Android",
      clientIp: "192.0.2.7",
      eventTime: t,
    });
    t += period;
    await send(opts, { account, action: "Login", platform: "Android", clientIp: "192.0.2.7", eventTime: t });
  }
  console.log();
  await showUser(opts, account);
  console.log("  (with OFFLINE_GRACE_SECONDS > 3, subscribers see none of these drops)");
}

// day-in-the-life: one user's day, compressed to a second per step.
import type { StateEvent } from "../lib/tencent-client.ts";
import type { Options } from "./options.ts";
import { send, showEvents, showUser } from "./output.ts";

/** A day compressed: the story clock is printed, EventTimes are one second apart ending now. */
export function dayInTheLife(account: string, end: number): { story: string; event: StateEvent }[] {
  const home = "203.0.113.10";
  const office = "198.51.100.20";
  const steps: { story: string; event: Omit<StateEvent, "account" | "eventTime"> }[] = [
    { story: "07:45 iPhone app opened", event: { action: "Login", platform: "IOS", clientIp: home } },
    {
      story: "09:00 Windows client logs in, kicks the iPhone",
      event: { action: "Login", platform: "Windows", clientIp: office, kicked: ["iOS"] },
    },
    { story: "12:30 Mini Program opened", event: { action: "Login", platform: "Web", clientIp: office } },
    {
      story: "12:40 Mini Program sent to background",
      event: { action: "Disconnect", reason: "LinkClose", platform: "Web", clientIp: office },
    },
    { story: "14:00 iPhone app back", event: { action: "Login", platform: "IOS", clientIp: office } },
    {
      story: "14:20 airplane mode: heartbeat lost",
      event: { action: "Disconnect", reason: "TimeOut", platform: "IOS", clientIp: office },
    },
    {
      story: "15:00 custom status set",
      event: { action: "CustomStatusChange", platform: "Windows", clientIp: office, customStatus: "In a meeting" },
    },
    {
      story: "16:00 custom status cleared",
      event: { action: "CustomStatusChange", platform: "Windows", clientIp: office, customStatus: "" },
    },
    { story: "18:30 Windows logout", event: { action: "Logout", platform: "Windows", clientIp: office } },
    { story: "20:00 iPhone reconnects at home", event: { action: "Login", platform: "IOS", clientIp: home } },
    { story: "23:30 iPhone logout", event: { action: "Logout", platform: "IOS", clientIp: home } },
  ];
  const start = end - steps.length * 1000;
  return steps.map((s, i) => ({ story: s.story, event: { ...s.event, account, eventTime: start + i * 1000 } }));
}

export async function runDay(opts: Options): Promise<void> {
  const account = opts.user ?? "sim-day";
  console.log(`day-in-the-life of ${account} → ${opts.callback.url}`);
  for (const { story, event } of dayInTheLife(account, Date.now())) {
    console.log(`  ${story}`);
    await send(opts, event);
  }
  console.log();
  await showUser(opts, account);
  await showEvents(opts, account, 20);
}

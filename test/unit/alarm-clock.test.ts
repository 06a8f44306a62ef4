// The user object's one alarm: a request from outside a change (a failed background call) reads
// what is scheduled first, so another concern's earlier alarm is never postponed.
import { describe, expect, it } from "vitest";
import { AlarmClock } from "../../src/user/alarm-clock";

function storage(at: number | null) {
  const set: number[] = [];
  const fake = {
    getAlarm: async () => at,
    setAlarm: async (time: number) => {
      set.push(time);
    },
  };
  return { fake: fake as unknown as DurableObjectStorage, set };
}

describe("AlarmClock.request", () => {
  it("keeps an earlier alarm that this instance had not read yet", async () => {
    const s = storage(1000);
    const clock = new AlarmClock(s.fake);
    await clock.request(5000);
    expect(s.set).toEqual([]);
    expect(await clock.scheduled()).toBe(1000);
  });

  it("moves a later alarm earlier, and sets one when none is set", async () => {
    const later = storage(9000);
    const clock = new AlarmClock(later.fake);
    await clock.request(5000);
    expect(later.set).toEqual([5000]);
    const none = storage(null);
    await new AlarmClock(none.fake).request(5000);
    expect(none.set).toEqual([5000]);
  });
});

// The one alarm of a Durable Object, as its shell sees it: what is scheduled (read once), moved
// only ever earlier by a change, and spent when it fires. Each concern says when it needs the
// alarm; this keeps the earliest.
export class AlarmClock {
  /** The scheduled alarm as far as this instance knows; undefined until read from storage. */
  private at: number | null | undefined = undefined;
  /** Alarms set by this instance (each is a billed write), for the storage counters. */
  set = 0;

  constructor(private readonly storage: DurableObjectStorage) {}

  /** What is scheduled now (one storage read per instance). */
  async scheduled(): Promise<number | null> {
    if (this.at === undefined) this.at = await this.storage.getAlarm();
    return this.at;
  }

  /** Moves the alarm earlier (never later) than what is scheduled. */
  moveEarlier(at: number): void {
    if (this.at !== null && this.at !== undefined && this.at <= at) return;
    this.at = at;
    this.set++;
    // Not awaited: the output gate holds every reply until this write is durable.
    void this.storage.setAlarm(at);
  }

  /**
   * Asks for the alarm at `at` from outside a change (a failed background call): what is
   * scheduled is read first, so an earlier alarm of another concern is never postponed.
   */
  async request(at: number): Promise<void> {
    await this.scheduled();
    this.moveEarlier(at);
  }

  /** The alarm that woke us is spent; or the object was erased. */
  clear(): void {
    this.at = null;
  }
}

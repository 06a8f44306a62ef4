// Per-account order on one connection: a snapshot first, then the changes after it, each once,
// in seq order. A change can reach the hub while the snapshot call is still in flight (the hub
// is registered before the snapshot returns): it waits here and goes out after the snapshot,
// unless the snapshot already includes it. A change older than one already sent (a late RPC
// after the user's object restarted) is dropped: the client sees the version gap and resyncs.

export interface Change {
  readonly seq: number;
  readonly messages: readonly string[];
}

interface Track {
  /** The newest seq sent on this connection (a snapshot's, or a change's). */
  last: number | null;
  /** Changes that arrived while a snapshot was on its way; null when none is. */
  waiting: Change[] | null;
}

export class Sequencer {
  private readonly tracks = new Map<string, Track>();

  /** A snapshot is on its way: hold the account's changes until it arrives. */
  begin(account: string): void {
    const track = this.tracks.get(account);
    if (track) track.waiting ??= [];
    else this.tracks.set(account, { last: null, waiting: [] });
  }

  /** The messages to send now for a change: none while a snapshot is awaited, or if stale. */
  offer(account: string, change: Change): readonly string[] {
    let track = this.tracks.get(account);
    if (track === undefined) this.tracks.set(account, (track = { last: null, waiting: null }));
    if (track.waiting !== null) {
      track.waiting.push(change);
      return [];
    }
    if (track.last !== null && change.seq <= track.last) return [];
    track.last = change.seq;
    return change.messages;
  }

  /** The snapshot (taken at `seq`) and the held changes that are newer than it, in order. */
  snapshot(account: string, seq: number, message: string): readonly string[] {
    const track = this.tracks.get(account) ?? { last: null, waiting: null };
    const held = [...(track.waiting ?? [])].sort((a, b) => a.seq - b.seq);
    const out = [message];
    let last = seq;
    for (const change of held) {
      if (change.seq <= last) continue;
      out.push(...change.messages);
      last = change.seq;
    }
    this.tracks.set(account, { last, waiting: null });
    return out;
  }

  /** The snapshot failed: release the held changes' slot without sending them. */
  abandon(account: string): void {
    this.tracks.delete(account);
  }

  forget(account: string): void {
    this.tracks.delete(account);
  }
}

// Where live updates come from, behind one small interface so the views do not care: the watch
// WebSocket (GET /v1/apps/{app}/watch, docs/WATCH.md) when the Worker has it, else polling
// (the batch query for accounts, GET …/online for the app's counts) every few seconds. A Worker
// without live watch answers the watch-token request with 404, and the feed falls back to
// polling.
import { ApiError, appPath, type Api } from "./api";
import type { OnlineCounts, Snapshot } from "./types";

export type FeedState =
  | { readonly kind: "connecting" }
  | { readonly kind: "live"; readonly via: "watch" | "polling"; readonly at: number }
  | { readonly kind: "retrying"; readonly message: string; readonly at: number };

export interface FeedHandlers {
  snapshots(snapshots: readonly Snapshot[]): void;
  state(state: FeedState): void;
}

export interface CountsHandlers {
  counts(counts: OnlineCounts): void;
  state(state: FeedState): void;
}

export interface LiveFeed {
  stop(): void;
}

export const POLL_INTERVAL_MS = 3000;
const BATCH = 500;
const RETRY_MS = [1000, 2000, 5000, 10000, 30000];
const TOKEN_TTL_SECONDS = 3600;

/** Follows these accounts: each snapshot, and each change's snapshot. */
export function startFeed(api: Api, app: string, accounts: readonly string[], on: FeedHandlers): LiveFeed {
  const subscribe: string[] = [];
  for (let i = 0; i < accounts.length; i += BATCH) {
    subscribe.push(JSON.stringify({ type: "subscribe", accounts: accounts.slice(i, i + BATCH) }));
  }
  return start(on.state, {
    token: { ttlSeconds: TOKEN_TTL_SECONDS },
    subscribe,
    message(data) {
      const snapshot = data.type === "snapshot" ? data.snapshot : data.event?.data?.snapshot;
      if (snapshot) on.snapshots([snapshot]);
    },
    async poll(signal) {
      for (let i = 0; i < accounts.length; i += BATCH) {
        const body = { accounts: accounts.slice(i, i + BATCH) };
        const { results } = await api.post<{ results: Snapshot[] }>(`${appPath(app)}/presence/query`, body, signal);
        on.snapshots(results);
      }
    },
    api,
    app,
  });
}

/** Follows the app's counts (SPEC §12): at once, then at most once a second while they change. */
export function startCountsFeed(api: Api, app: string, on: CountsHandlers): LiveFeed {
  return start(on.state, {
    // The counts are app-wide: a watch token watches them only when minted for them.
    token: { ttlSeconds: TOKEN_TTL_SECONDS, counts: true },
    subscribe: [JSON.stringify({ type: "subscribe", counts: true })],
    message(data) {
      if (data.type === "counts" && data.counts) on.counts(data.counts);
    },
    async poll(signal) {
      on.counts(await api.get<OnlineCounts>(`${appPath(app)}/online`, signal));
    },
    api,
    app,
  });
}

interface WatchMessage {
  type: string;
  snapshot?: Snapshot;
  event?: { data?: { snapshot?: Snapshot } };
  counts?: OnlineCounts;
  message?: string;
}

/** What one feed watches, and how it polls instead. */
interface Source {
  readonly api: Api;
  readonly app: string;
  /** The watch-token request's body. */
  readonly token: Record<string, unknown>;
  /** Sent once the socket is open. */
  readonly subscribe: readonly string[];
  message(data: WatchMessage): void;
  /** One round of polling. */
  poll(signal: AbortSignal): Promise<void>;
}

function start(state: (s: FeedState) => void, source: Source): LiveFeed {
  state({ kind: "connecting" });
  let stop = watch(source, state, () => {
    stop = poll(source, state);
  });
  return { stop: () => stop() };
}

/** A round of `source.poll` every POLL_INTERVAL_MS, with backoff after failures. */
function poll(source: Source, state: (s: FeedState) => void): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;
  const abort = new AbortController();
  async function tick() {
    try {
      await source.poll(abort.signal);
      failures = 0;
      state({ kind: "live", via: "polling", at: Date.now() });
      timer = setTimeout(tick, POLL_INTERVAL_MS);
    } catch (error) {
      if (abort.signal.aborted) return;
      const wait = RETRY_MS[Math.min(failures++, RETRY_MS.length - 1)]!;
      state({
        kind: "retrying",
        message: error instanceof Error ? error.message : String(error),
        at: Date.now() + wait,
      });
      timer = setTimeout(tick, wait);
    }
  }
  void tick();
  return () => {
    abort.abort();
    clearTimeout(timer);
  };
}

/**
 * The watch WebSocket, reopened with backoff and a fresh watch token each time (a token
 * expires); `fallback` when the Worker has no live watch (404) or a socket never opens.
 */
function watch(source: Source, state: (s: FeedState) => void, fallback: () => void) {
  const { api, app } = source;
  let socket: WebSocket | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;
  let everOpened = false;
  let closed = false;
  const retry = (message: string) => {
    const wait = RETRY_MS[Math.min(failures++, RETRY_MS.length - 1)]!;
    state({ kind: "retrying", message, at: Date.now() + wait });
    timer = setTimeout(open, wait);
  };
  async function open() {
    let token: string;
    try {
      ({ token } = await api.post<{ token: string }>(`${appPath(app)}/watch-tokens`, source.token));
    } catch (error) {
      if (closed) return;
      if (error instanceof ApiError && (error.status === 404 || error.status === 405)) return fallback();
      return retry(error instanceof Error ? error.message : String(error));
    }
    if (closed) return;
    const url = new URL(`${appPath(app)}/watch?token=${encodeURIComponent(token)}`, location.href);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    socket = new WebSocket(url);
    socket.onopen = () => {
      everOpened = true;
      failures = 0;
      for (const message of source.subscribe) socket?.send(message);
      state({ kind: "live", via: "watch", at: Date.now() });
    };
    socket.onmessage = (message) => {
      const data = JSON.parse(String(message.data)) as WatchMessage;
      source.message(data);
      if (data.type === "error") console.warn("watch:", data.message);
      state({ kind: "live", via: "watch", at: Date.now() });
    };
    socket.onclose = () => {
      if (closed) return;
      if (!everOpened) return fallback();
      retry("the watch connection closed");
    };
  }
  void open();
  return () => {
    closed = true;
    clearTimeout(timer);
    socket?.close();
  };
}

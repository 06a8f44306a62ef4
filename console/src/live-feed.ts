// Where the live grid's updates come from, behind one small interface so the grid does not
// care: the watch WebSocket (GET /v1/apps/{app}/watch, docs/API.md) when the Worker has it,
// else polling the batch query every few seconds. A Worker without live watch answers the
// watch-token request with 404, and the feed falls back to polling.
import { ApiError, appPath, type Api } from "./api";
import type { Snapshot } from "./types";

export type FeedState =
  | { readonly kind: "connecting" }
  | { readonly kind: "live"; readonly via: "watch" | "polling"; readonly at: number }
  | { readonly kind: "retrying"; readonly message: string; readonly at: number };

export interface FeedHandlers {
  snapshots(snapshots: readonly Snapshot[]): void;
  state(state: FeedState): void;
}

export interface LiveFeed {
  stop(): void;
}

export const POLL_INTERVAL_MS = 3000;
const BATCH = 500;
const RETRY_MS = [1000, 2000, 5000, 10000, 30000];

export function startFeed(api: Api, app: string, accounts: readonly string[], on: FeedHandlers): LiveFeed {
  let stopped = false;
  let stopCurrent = () => {};
  const stop = () => {
    stopped = true;
    stopCurrent();
  };
  on.state({ kind: "connecting" });
  void (async () => {
    try {
      const { token } = await api.post<{ token: string }>(`${appPath(app)}/watch-tokens`, { ttlSeconds: 3600 });
      if (!stopped) stopCurrent = watch(app, token, accounts, on, () => startPolling());
    } catch (error) {
      if (!stopped)
        startPolling(error instanceof ApiError && (error.status === 404 || error.status === 405) ? null : error);
    }
  })();
  function startPolling(reason: unknown = null) {
    if (stopped) return;
    if (reason !== null) console.info("live watch unavailable, polling instead", reason);
    stopCurrent = poll(api, app, accounts, on);
  }
  return { stop };
}

/** The batch query every POLL_INTERVAL_MS, 500 accounts a request. */
function poll(api: Api, app: string, accounts: readonly string[], on: FeedHandlers): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;
  const abort = new AbortController();
  async function tick() {
    try {
      for (let i = 0; i < accounts.length; i += BATCH) {
        const chunk = accounts.slice(i, i + BATCH);
        const { results } = await api.post<{ results: Snapshot[] }>(
          `${appPath(app)}/presence/query`,
          { accounts: chunk },
          abort.signal,
        );
        on.snapshots(results);
      }
      failures = 0;
      on.state({ kind: "live", via: "polling", at: Date.now() });
      timer = setTimeout(tick, POLL_INTERVAL_MS);
    } catch (error) {
      if (abort.signal.aborted) return;
      const wait = RETRY_MS[Math.min(failures++, RETRY_MS.length - 1)]!;
      on.state({
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

interface WatchMessage {
  type: string;
  snapshot?: Snapshot;
  event?: { data?: { snapshot?: Snapshot } };
  message?: string;
}

/** One watch WebSocket, reopened with backoff; `fallback` when it cannot be opened at all. */
function watch(app: string, token: string, accounts: readonly string[], on: FeedHandlers, fallback: () => void) {
  let socket: WebSocket | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;
  let everOpened = false;
  let closed = false;
  const url = new URL(`${appPath(app)}/watch?token=${encodeURIComponent(token)}`, location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  function open() {
    socket = new WebSocket(url);
    socket.onopen = () => {
      everOpened = true;
      failures = 0;
      for (let i = 0; i < accounts.length; i += BATCH) {
        socket?.send(JSON.stringify({ type: "subscribe", accounts: accounts.slice(i, i + BATCH) }));
      }
      on.state({ kind: "live", via: "watch", at: Date.now() });
    };
    socket.onmessage = (message) => {
      const data = JSON.parse(String(message.data)) as WatchMessage;
      const snapshot = data.type === "snapshot" ? data.snapshot : data.event?.data?.snapshot;
      if (snapshot) on.snapshots([snapshot]);
      on.state({ kind: "live", via: "watch", at: Date.now() });
    };
    socket.onclose = () => {
      if (closed) return;
      if (!everOpened) return fallback();
      const wait = RETRY_MS[Math.min(failures++, RETRY_MS.length - 1)]!;
      on.state({ kind: "retrying", message: "the watch connection closed", at: Date.now() + wait });
      timer = setTimeout(open, wait);
    };
  }
  open();
  return () => {
    closed = true;
    clearTimeout(timer);
    socket?.close();
  };
}

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
const TOKEN_TTL_SECONDS = 3600;

export function startFeed(api: Api, app: string, accounts: readonly string[], on: FeedHandlers): LiveFeed {
  on.state({ kind: "connecting" });
  let stop = watch(api, app, accounts, on, () => {
    stop = poll(api, app, accounts, on);
  });
  return { stop: () => stop() };
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

/**
 * The watch WebSocket, reopened with backoff and a fresh watch token each time (a token
 * expires); `fallback` when the Worker has no live watch (404) or a socket never opens.
 */
function watch(api: Api, app: string, accounts: readonly string[], on: FeedHandlers, fallback: () => void) {
  let socket: WebSocket | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;
  let everOpened = false;
  let closed = false;
  const retry = (message: string) => {
    const wait = RETRY_MS[Math.min(failures++, RETRY_MS.length - 1)]!;
    on.state({ kind: "retrying", message, at: Date.now() + wait });
    timer = setTimeout(open, wait);
  };
  async function open() {
    let token: string;
    try {
      ({ token } = await api.post<{ token: string }>(`${appPath(app)}/watch-tokens`, {
        ttlSeconds: TOKEN_TTL_SECONDS,
      }));
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
      for (let i = 0; i < accounts.length; i += BATCH) {
        socket?.send(JSON.stringify({ type: "subscribe", accounts: accounts.slice(i, i + BATCH) }));
      }
      on.state({ kind: "live", via: "watch", at: Date.now() });
    };
    socket.onmessage = (message) => {
      const data = JSON.parse(String(message.data)) as WatchMessage;
      const snapshot = data.type === "snapshot" ? data.snapshot : data.event?.data?.snapshot;
      if (snapshot) on.snapshots([snapshot]);
      if (data.type === "error") console.warn("watch:", data.message);
      on.state({ kind: "live", via: "watch", at: Date.now() });
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

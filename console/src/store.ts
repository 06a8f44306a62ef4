// The console's whole state in one object, and one render after any change (lit-html
// updates only what differs, so re-rendering the page is cheap).
import type { Api } from "./api";
import type { FeedState, LiveFeed } from "./live-feed";
import type { ChartRange } from "./online-chart-model";
import type { ConfigSummary, CountsPoint, Delivery, HistoryEntry, OnlineCounts, OnlineUser, Snapshot } from "./types";

export type Route =
  | { readonly page: "user"; readonly account: string | null }
  | { readonly page: "grid" }
  | { readonly page: "online" }
  | { readonly page: "reconcile" }
  | { readonly page: "config" };

/** A request's progress: idle, loading, or its error message. */
export type Status = { readonly busy: boolean; readonly error: string | null; readonly note?: string | null };
export const IDLE: Status = { busy: false, error: null, note: null };

export interface ReconcileStats {
  readonly [name: string]: unknown;
}

export interface State {
  api: Api | null;
  config: ConfigSummary | null;
  app: string | null;
  route: Route;
  signIn: Status;
  user: {
    account: string | null;
    snapshot: Snapshot | null;
    events: HistoryEntry[];
    deliveries: Delivery[];
    loaded: number;
    status: Status;
    redeliver: Status;
    verify: Status;
    /** The last kick of this user: its progress, the result or Tencent's error. */
    kick: Status;
    activeMark: number | null;
    /** Follows the shown user live, so the page reloads when the user changes. */
    feed: LiveFeed | null;
  };
  grid: {
    text: string;
    accounts: string[];
    snapshots: Map<string, Snapshot>;
    feed: LiveFeed | null;
    feedState: FeedState | null;
    error: string | null;
  };
  online: {
    /** The app's counts, live; null until the first arrive. */
    counts: OnlineCounts | null;
    feed: LiveFeed | null;
    feedState: FeedState | null;
    /** Why the page has nothing to show (the index is off), else null. */
    off: string | null;
    range: ChartRange;
    /** The chart's points (the live count laid over the newest) and the span they cover. */
    history: { points: CountsPoint[]; from: number; to: number } | null;
    historyStatus: Status;
    activePoint: number | null;
    /** The list's filters, its page, the cursor that page came from, and those before it. */
    status: "online" | "disconnected" | "any";
    platform: string;
    users: OnlineUser[];
    cursor: string | null;
    next: string | null;
    previous: (string | null)[];
    listStatus: Status;
  };
  /** null until asked; "absent" when the Worker has no reconcile endpoint. */
  reconcile: { stats: ReconcileStats | null | "absent"; status: Status; results: unknown[] | null; verify: Status };
  chartWidth: number;
}

export const state: State = {
  api: null,
  config: null,
  app: null,
  route: { page: "user", account: null },
  signIn: IDLE,
  user: {
    account: null,
    snapshot: null,
    events: [],
    deliveries: [],
    loaded: 0,
    status: IDLE,
    redeliver: IDLE,
    verify: IDLE,
    kick: IDLE,
    activeMark: null,
    feed: null,
  },
  grid: { text: "", accounts: [], snapshots: new Map(), feed: null, feedState: null, error: null },
  online: {
    counts: null,
    feed: null,
    feedState: null,
    off: null,
    range: "day",
    history: null,
    historyStatus: IDLE,
    activePoint: null,
    status: "online",
    platform: "",
    users: [],
    cursor: null,
    next: null,
    previous: [],
    listStatus: IDLE,
  },
  reconcile: { stats: null, status: IDLE, results: null, verify: IDLE },
  chartWidth: 800,
};

let renderer: () => void = () => {};
let scheduled = false;

export function setRenderer(render: () => void): void {
  renderer = render;
}

/** Renders once on the next frame, however many changes come before it. */
export function rerender(): void {
  if (scheduled) return;
  scheduled = true;
  queueMicrotask(() => {
    scheduled = false;
    renderer();
  });
}

export const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

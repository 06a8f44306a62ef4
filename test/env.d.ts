// Types `exports` from "cloudflare:workers" in tests (the loopback to this Worker).
declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import("../src/index");
    durableNamespaces: "UserPresence" | "Reconciler" | "WatchHub" | "OnlineShard" | "OnlineTotals";
  }
}

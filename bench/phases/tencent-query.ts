// The Tencent-compatible batch query (docs/API.md, POST /v4/openim/query_online_status) beside
// the native one (POST /v1/apps/{app}/presence/query), same accounts, alternating rounds:
// 500 accounts a request, one request at a time. Requests are signed with a UserSig from
// Tencent's own `tls-sig-api-v2` library (the client an app already has) when it is
// installed, else from the Worker's src/tencent/rest/usersig.ts.

import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { runLoad } from "../lib/load.ts";
import { fmt } from "../lib/format.ts";
import { measure, mergePhases, post, type Phase } from "../lib/phase.ts";
import { APP, API_TOKEN, CALLBACK_TOKEN, PE_BINDINGS, log, type Profile } from "../lib/settings.ts";
import { WORKER_DIR, type BuildInfo } from "../lib/build.ts";
import { startTarget } from "../lib/targets.ts";
import { CallbackWorkload } from "../lib/workload.ts";
import type { ExtraFigures } from "./extra-figures.ts";

/** A test key in the console's format (64 hex characters); no real app's. */
export const BENCH_SECRET_KEY = "6b1c0e9f2d4a8c7b5e3f1a0d9c8b7a6f5e4d3c2b1a09f8e7d6c5b4a392817060";
export const BENCH_ADMIN = "administrator";

/** A UserSig for `identifier`, valid for a day, and which library made it. */
export async function benchUserSig(identifier: string): Promise<{ userSig: string; madeBy: string } | null> {
  const pkg = "tls-sig-api-v2";
  try {
    const mod = (await import(pkg)) as {
      default?: { Api: new (app: number, key: string) => { genUserSig(id: string, expire: number): string } };
    };
    const Api = mod.default?.Api;
    if (Api) return { userSig: new Api(Number(APP), BENCH_SECRET_KEY).genUserSig(identifier, 86_400), madeBy: pkg };
  } catch {
    // not installed: fall back on the Worker's own signer
  }
  try {
    const url = pathToFileURL(join(WORKER_DIR, "src/tencent/rest/usersig.ts")).href;
    const { signUserSig } = (await import(url)) as {
      signUserSig: (key: string, app: string, id: string, now: number, expire: number) => Promise<string>;
    };
    const userSig = await signUserSig(BENCH_SECRET_KEY, APP, identifier, Math.floor(Date.now() / 1000), 86_400);
    return { userSig, madeBy: "src/tencent/rest/usersig.ts" };
  } catch {
    return null;
  }
}

export async function runTencentQuery(profile: Profile, build: BuildInfo): Promise<ExtraFigures> {
  const sig = await benchUserSig(BENCH_ADMIN);
  if (!sig) return { skipped: "no UserSig signer: neither tls-sig-api-v2 nor src/tencent/rest/usersig.ts is present" };
  const t = await startTarget({
    kind: "presence-edge",
    placement: "tmpfs",
    build,
    bindings: { ...PE_BINDINGS, IM_SECRET_KEY: BENCH_SECRET_KEY, IM_ADMIN_IDENTIFIER: BENCH_ADMIN },
    labelSuffix: "+tencent-query",
  });
  try {
    const size = Math.min(profile.batchSize, profile.users);
    const w = new CallbackWorkload({ app: APP, token: CALLBACK_TOKEN, users: size, prefix: "tq" });
    await runLoad({
      url: t.url,
      connections: Math.max(...profile.connections),
      amount: size,
      next: () => w.precreate(),
    });
    const accounts = w.population;
    let random = 1;
    const compat = () => ({
      path:
        `/v4/openim/query_online_status?sdkappid=${APP}&identifier=${BENCH_ADMIN}` +
        `&usersig=${encodeURIComponent(sig.userSig)}&random=${random++}&contenttype=json`,
      body: JSON.stringify({ To_Account: accounts, IsNeedDetail: 1, IsReturnCustomStatus: 1 }),
    });
    const native = () => ({
      path: `/v1/apps/${APP}/presence/query`,
      body: JSON.stringify({ accounts }),
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    // Does this build have the endpoint, and does it accept the UserSig?
    const first = await post(t.url, compat());
    const text = await first.text();
    if (first.status === 404) return { skipped: "this build has no Tencent-compatible query (404)" };
    const answer = (() => {
      try {
        return JSON.parse(text) as { ActionStatus?: string; QueryResult?: unknown[]; ErrorInfo?: string };
      } catch {
        return null;
      }
    })();
    if (answer?.ActionStatus !== "OK" || answer.QueryResult?.length !== size) {
      return { skipped: null, problem: `the compatible query answered HTTP ${first.status}: ${text.slice(0, 200)}` };
    }
    const parts: Record<"native" | "compatible", Phase[]> = { native: [], compatible: [] };
    const order: ["native" | "compatible", () => { path: string; body: string }][] = [
      ["native", native],
      ["compatible", compat],
    ];
    const rounds = profile.rounds;
    for (let r = 0; r < rounds; r++) {
      for (const [name, next] of r % 2 === 0 ? order : [...order].reverse()) {
        parts[name].push(
          await measure(t, `${name} batch-${size} ${r + 1}/${rounds}`, {
            url: t.url,
            connections: 1,
            amount: Math.max(1, Math.round(profile.batchRequests / rounds)),
            timeoutSec: 30,
            next,
          }),
        );
      }
    }
    const n = mergePhases(parts.native);
    const c = mergePhases(parts.compatible);
    log(
      `  Tencent-compatible query, ${size} accounts: p50 ${fmt(c.p50, 1)} ms, p99 ${fmt(c.p99, 1)} ms; native p50 ${fmt(n.p50, 1)} ms, p99 ${fmt(n.p99, 1)} ms (UserSig by ${sig.madeBy})`,
    );
    return {
      skipped: null,
      problem: c.ok === 0 || n.ok === 0 ? "no successful batch query" : null,
      accounts: size,
      userSigBy: sig.madeBy,
      compatible: { p50: c.p50, p90: c.p90, p99: c.p99, requests: c.requests, ok: c.ok },
      native: { p50: n.p50, p90: n.p90, p99: n.p99, requests: n.requests, ok: n.ok },
    };
  } finally {
    await t.dispose();
  }
}

// Webhook latency: a presence-edge instance (tmpfs) with one subscriber served by this
// process, every delivery verified with `standardwebhooks` as a subscriber would; latency from
// sending a callback to receiving its user.status_changed. Also the rows an applied callback
// costs when there is a subscriber to deliver to.

import { createServer, type Server } from "node:http";
import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { fmt } from "../lib/format.ts";
import { post } from "../lib/phase.ts";
import { APP, CALLBACK_TOKEN, PE_BINDINGS, log, type Profile } from "../lib/settings.ts";
import type { BuildInfo } from "../lib/build.ts";
import { startTarget } from "../lib/targets.ts";
import { CallbackWorkload } from "../lib/workload.ts";
import { probe, usageReader, type Probe } from "./storage-rows.ts";

// Webhook latency: a local subscriber in this process, verified with `standardwebhooks`.

export interface WebhookFigures {
  sent: number;
  received: number;
  verified: number;
  p50: number | null;
  p99: number | null;
  max: number | null;
  note: string;
  /** Storage rows per applied callback with one subscriber (outbox rows and alarms included). */
  applied: Probe | null;
}

export async function runWebhooks(profile: Profile, build: BuildInfo): Promise<WebhookFigures> {
  const secret = `whsec_${randomBytes(24).toString("base64")}`;
  const verifier = new Webhook(secret);
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let received = 0;
  let verified = 0;
  let firstError = "";
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      received++;
      const at = performance.now();
      try {
        const payload = verifier.verify(body, {
          "webhook-id": String(req.headers["webhook-id"] ?? ""),
          "webhook-timestamp": String(req.headers["webhook-timestamp"] ?? ""),
          "webhook-signature": String(req.headers["webhook-signature"] ?? ""),
        }) as { type?: string; data?: { account?: string } };
        verified++;
        const account = payload.data?.account;
        if (payload.type === "user.status_changed" && account && sentAt.has(account)) {
          latencies.push(at - sentAt.get(account)!);
          sentAt.delete(account);
        }
      } catch (e) {
        firstError ||= (e as Error).message;
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  const subscribers = JSON.stringify([{ id: "bench", url: `http://127.0.0.1:${port}/webhooks`, secret }]);
  const t = await startTarget({
    kind: "presence-edge",
    placement: "tmpfs",
    build,
    bindings: { ...PE_BINDINGS, WEBHOOK_SUBSCRIBERS: subscribers },
    labelSuffix: "+webhooks",
  });
  const w = new CallbackWorkload({ app: APP, token: CALLBACK_TOKEN, users: 1, prefix: "hook" });
  let sent = 0;
  const storage: { applied: Probe | null } = { applied: null };
  try {
    for (let i = 0; i < profile.webhookCallbacks; i++) {
      const req = w.firstTouch();
      const account = (JSON.parse(req.body) as { Info: { To_Account: string } }).Info.To_Account;
      sentAt.set(account, performance.now());
      const res = await post(t.url, req);
      await res.arrayBuffer();
      if (res.status === 200) sent++;
      await new Promise((r) => setTimeout(r, 50));
    }
    const deadline = Date.now() + 5000;
    while (latencies.length < sent && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    // Storage cost of an applied callback when there is a subscriber to deliver to.
    const usage = await usageReader(t);
    const users = new CallbackWorkload({ app: APP, token: CALLBACK_TOKEN, users: 5, prefix: "hookrows" });
    for (let i = 0; i < 5; i++) await (await post(t.url, users.appliedFor(i))).arrayBuffer();
    await new Promise((r) => setTimeout(r, 500)); // let the first deliveries go out
    storage.applied = await probe(
      t.url,
      "applied, 1 subscriber",
      (i) => users.appliedFor(i % 5),
      profile.probeEach,
      usage,
    );
  } finally {
    await t.dispose();
    server.close();
  }
  latencies.sort((a, b) => a - b);
  const at = (p: number) =>
    latencies.length ? latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)]! : null;
  const note =
    received === 0
      ? "no deliveries received within 5 s: webhooks not implemented yet, or not sent"
      : `${latencies.length} of ${sent} user.status_changed deliveries matched${firstError ? `; verify error: ${firstError}` : ""}`;
  const fig = {
    sent,
    received,
    verified,
    p50: at(50),
    p99: at(99),
    max: latencies.at(-1) ?? null,
    note,
    applied: storage.applied,
  };
  log(
    `  webhooks: sent ${sent}, received ${received}, verified ${verified}, p50 ${fmt(fig.p50, 1)}ms p99 ${fmt(fig.p99, 1)}ms — ${note}` +
      (fig.applied
        ? `; rows per applied callback with 1 subscriber: written ${fmt(fig.applied.rowsWritten, 1)}, read ${fmt(fig.applied.rowsRead, 1)}, alarms ${fmt(fig.applied.alarmsSet, 1)}`
        : ""),
  );
  return fig;
}

// ---------------------------------------------------------------------------------------------

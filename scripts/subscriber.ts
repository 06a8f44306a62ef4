// A local webhook subscriber for the demo: receives presence-edge's deliveries, verifies each
// one with the `standardwebhooks` library (as a real subscriber should), and prints it.
//
//   npm run subscriber -- [--port 8788] [--host 127.0.0.1] [--path /webhooks] [--secret whsec_…]
//   npm run subscriber -- --status 503     answer every delivery with 503, to watch the retries
//
// The default secret is the demo subscriber's, from demo.env. Verified deliveries are answered
// 204; a delivery that fails verification is answered 401 and printed as rejected.
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { Webhook } from "standardwebhooks";

const DEMO_SECRET = "whsec_ZGVtby1zdWJzY3JpYmVyLXNlY3JldC0wMTIzNDU2Nzg5";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "8788" },
    host: { type: "string", default: "127.0.0.1" },
    path: { type: "string", default: "/webhooks" },
    secret: { type: "string", default: process.env.WEBHOOK_SECRET ?? DEMO_SECRET },
    status: { type: "string", default: "204" },
  },
});

const webhook = new Webhook(values.secret);
const answer = Number(values.status);
const seen = new Set<string>();

const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://localhost");
  if (req.method !== "POST" || url.pathname !== values.path) {
    res.writeHead(404).end();
    return;
  }
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks).toString("utf8");
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
    let event: { type: string; timestamp: string; data: Record<string, any> };
    try {
      event = webhook.verify(body, headers) as typeof event;
    } catch (error) {
      console.log(`✗ rejected ${headers["webhook-id"] ?? "(no id)"}: ${(error as Error).message}`);
      res.writeHead(401).end();
      return;
    }
    const id = headers["webhook-id"]!;
    const repeat = seen.has(id) ? " (retry of a message already seen)" : "";
    seen.add(id);
    const { app, account, seq, snapshot, ...fields } = event.data;
    console.log(
      `✓ ${event.timestamp} ${event.type} ${app}:${account} seq=${seq} ${JSON.stringify(fields)} → user ${snapshot?.status}${repeat}`,
    );
    console.log(`  ${id}  answered ${answer}`);
    res.writeHead(answer).end();
  });
});

// A second subscriber (or anything else) on the port: say so and how to choose another,
// instead of Node's EADDRINUSE stack.
server.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EADDRINUSE") {
    console.error(
      `port ${values.port} on ${values.host} is taken (another \`npm run subscriber\`?). Stop that one, or ` +
        `choose another port: npm run subscriber -- --port 8798, and point the Worker's ` +
        `WEBHOOK_SUBSCRIBERS url at it (demo.env for \`npm start\`).`,
    );
  } else {
    console.error(`cannot listen on ${values.host}:${values.port}: ${error.message}`);
  }
  process.exit(1);
});

server.listen(Number(values.port), values.host, () => {
  console.log(
    `webhook subscriber on http://${values.host}:${values.port}${values.path} (verifying with standardwebhooks)`,
  );
});

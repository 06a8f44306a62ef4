// A local stand-in for Tencent's REST endpoint (query_online_status), so that `npm start`, the
// simulator, tests and the bench can reconcile without Tencent. It checks UserSigs exactly as
// the Worker does (one implementation: src/tencent/rest/usersig.ts) and answers from a truth
// table set over HTTP (routes: scripts/lib/tencent-standin-core.ts). `--help` for the options.
//
// Apps and keys come from the env file (default demo.env, as `npm start` reads it), then the
// process environment: IM_SDKAPPIDS, IM_SECRET_KEY (IM_SECRET_KEY_<SDKAppID> per app) and
// IM_ADMIN_IDENTIFIER (default administrator). Point the Worker at it with
// IM_REST_BASE_URL=http://127.0.0.1:8790. Keys are never printed.
import { existsSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { parseEnv } from "node:util";
import { fail, intOption, listenOrFail, readCommandLine } from "./lib/cli.ts";
import { createTencentStandin, type TencentStandin } from "./lib/tencent-standin-core.ts";

const { values } = readCommandLine({
  name: "npm run tencent",
  usage: `usage: npm run tencent -- [options]

A local stand-in of Tencent's query_online_status. It believes what it is told: an account it
was never told about is Offline. \`npm run send\` and the simulator tell it what they send;
set an account yourself with
  curl -X PUT http://127.0.0.1:8790/truth/1400000000/alice -d '{"platforms":{"iOS":"Online"}}'
(more in docs/TENCENT.md).

options:
  --port N          port to listen on (default 8790, where demo.env's IM_REST_BASE_URL points; 0: any free one)
  --host HOST       address to listen on (default 127.0.0.1)
  --env-file FILE   apps, keys and admin (default demo.env, then IM_* of the environment)
  --quiet           print no line per Tencent call
  -h, --help`,
  options: {
    port: { type: "string", default: "8790" },
    host: { type: "string", default: "127.0.0.1" },
    "env-file": { type: "string", default: "demo.env" },
    quiet: { type: "boolean", default: false },
  },
});

function loadSettings(path: string): Record<string, string | undefined> {
  const fromFile = existsSync(path) ? parseEnv(readFileSync(path, "utf8")) : {};
  const fromProcess = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith("IM_")));
  return { ...fromFile, ...fromProcess };
}

const settings = loadSettings(values["env-file"]);
const appIds = (settings.IM_SDKAPPIDS ?? "")
  .split(",")
  .map((s) => s.trim())
  .filter((s) => s !== "");
const apps = new Map<string, string>();
for (const app of appIds) {
  const key = (settings[`IM_SECRET_KEY_${app}`] ?? settings.IM_SECRET_KEY ?? "").trim();
  if (key !== "") apps.set(app, key);
}
const admin = (settings.IM_ADMIN_IDENTIFIER ?? "").trim() || "administrator";
if (apps.size === 0) {
  fail(`no app with a secret key: set IM_SDKAPPIDS and IM_SECRET_KEY in ${values["env-file"]} or the environment`);
}

const standin: TencentStandin = createTencentStandin({ apps, admin });

async function toRequest(req: IncomingMessage): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === "string") headers.set(name, value);
    else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
  }
  const method = req.method ?? "GET";
  const body = method === "GET" || method === "HEAD" ? null : Buffer.concat(chunks);
  return new Request(`http://${values.host}${req.url ?? "/"}`, { method, headers, body });
}

async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const request = await toRequest(req);
  const response = await standin.fetch(request);
  const body = Buffer.from(await response.arrayBuffer());
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(body);
  if (!values.quiet && new URL(request.url).pathname.startsWith("/v4/")) {
    // The URL holds the UserSig: only the path and the outcome are printed.
    const outcome = response.status === 200 ? JSON.parse(body.toString("utf8") || "{}") : null;
    const summary =
      outcome === null
        ? `HTTP ${response.status}`
        : outcome.ActionStatus === "OK"
          ? outcome.QueryResult === undefined // a kick: nothing but the envelope
            ? "OK"
            : `OK ${outcome.QueryResult.length} answered, ${outcome.ErrorList?.length ?? 0} in ErrorList`
          : `FAIL ${outcome.ErrorCode} ${outcome.ErrorInfo}`;
    console.log(`${new Date().toISOString()} ${request.method} ${new URL(request.url).pathname} → ${summary}`);
  }
}

const server = createServer((req, res) => {
  serve(req, res).catch((error: unknown) => {
    console.error(`stand-in error: ${error instanceof Error ? error.message : String(error)}`);
    if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
    res.end("stand-in error");
  });
});

// --port 0 takes a free port; the first line says which (tests and the bench read it).
const port = await listenOrFail(
  server,
  intOption("port", values.port, 0),
  values.host,
  "another `npm run tencent`? The Worker of `npm start` can use that one; or stop it, or choose another port: " +
    "npm run tencent -- --port 8799, and IM_REST_BASE_URL=http://127.0.0.1:8799 in demo.env (restart npm start)",
);
const base = `http://${values.host}:${port}`;
console.log(`Tencent REST stand-in on ${base}`);
console.log(`  apps: ${[...apps.keys()].join(", ")}  admin: ${admin}`);
console.log(`  Worker: IM_REST_BASE_URL=${base}`);
console.log(`  truth: an account never set is Offline; npm run send and npm run simulate set theirs, or`);
console.log(`         curl -X PUT ${base}/truth/<sdkappid>/<account> -d '{"platforms":{"iOS":"Online"}}'`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => server.close(() => process.exit(0)));
}

// `npm start`: runs `wrangler dev` with the local demo configuration, after two checks that
// wrangler does not make. Left alone, a second `wrangler dev` moved itself to the next free
// port and opened the same .wrangler/state as the first: two workerd processes on one set of
// SQLite files, and SQLITE_BUSY errors in both. So this refuses, with one line naming the
// running instance, when
//   - another `npm start` uses the same state directory (a lock file beside it, <state>.lock,
//     holding its pid and URL; a lock whose process is gone is stale and taken over), or
//   - the port is taken (by anything);
// and otherwise runs wrangler dev with the arguments given plus the defaults below, the port
// always explicit so wrangler never moves it, and exits with wrangler's code.
//
// PRESENCE_EDGE_WRANGLER names another script to run instead of wrangler (test/node/start.test.ts
// runs a stand-in, so the checks are tested without starting workerd).
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, relative, resolve } from "node:path";
import { fail, failOnUncaught } from "./lib/cli.ts";

const ROOT = resolve(import.meta.dirname, "..");
const USAGE = `usage: npm start [-- wrangler dev options]

Runs the Worker locally (wrangler dev) with the demo configuration (demo.env) on
http://127.0.0.1:8787, its state in .wrangler/state. It refuses to start when the port is
taken, or when another npm start uses the same state (two would share its SQLite files).

  npm start -- --port 8797 --inspector-port 9239     another port (and DevTools inspector port)
  npm start -- --port 8797 --inspector-port 9239 --persist-to .wrangler/state-8797
                                                     a second Worker, with its own state

Every other option goes to wrangler dev as it is (npx wrangler dev --help lists them).`;

/** What npm start adds unless the command line sets it. */
const DEFAULTS: readonly [option: string, value: string][] = [
  ["--env-file", "demo.env"],
  ["--persist-to", ".wrangler/state"],
  ["--ip", "127.0.0.1"],
  ["--port", "8787"],
];

/** The value of `--name V` or `--name=V` in wrangler's arguments (the last one wins, as in wrangler). */
function optionValue(args: readonly string[], name: string): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === name && i + 1 < args.length) value = args[i + 1];
    else if (args[i]!.startsWith(`${name}=`)) value = args[i]!.slice(name.length + 1);
  }
  return value;
}

interface Lock {
  pid: number;
  url: string;
  startedAt: number;
}

/** The lock's holder when it is a live `npm start`; null for no lock or a stale one. */
function liveHolder(lockFile: string): Lock | null {
  let lock: Lock;
  try {
    lock = JSON.parse(readFileSync(lockFile, "utf8")) as Lock;
  } catch {
    return null;
  }
  if (!Number.isInteger(lock.pid)) return null;
  try {
    process.kill(lock.pid, 0); // throws when the process is gone
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return null; // EPERM: alive, another user's
  }
  try {
    // A pid reused by another program since: not ours.
    if (!readFileSync(`/proc/${lock.pid}/cmdline`, "utf8").includes("start.ts")) return null;
  } catch {
    // no /proc (not Linux): trust the pid
  }
  return lock;
}

/** Whether something already listens on host:port (a trial listen is refused). */
function portTaken(host: string, port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const probe = createServer();
    probe.once("error", (error: NodeJS.ErrnoException) => resolvePromise(error.code === "EADDRINUSE"));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolvePromise(false)));
  });
}

/** Who answers on the port, in a few words, for the refusal. */
async function whoAnswers(url: string): Promise<string> {
  try {
    const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1_000) });
    const body = (await res.json()) as { ok?: unknown };
    if (typeof body.ok === "boolean") return "a presence-edge Worker (wrangler dev, perhaps of another checkout)";
  } catch {
    // not HTTP, or not ours
  }
  return "another program";
}

failOnUncaught("npm start");
const given = process.argv.slice(2);
const beforeDashes = given.includes("--") ? given.slice(0, given.indexOf("--")) : given;
if (beforeDashes.includes("--help") || beforeDashes.includes("-h")) {
  console.log(USAGE);
  process.exit(0);
}
const args = [...given];
for (const [option, value] of DEFAULTS) if (optionValue(args, option) === undefined) args.push(option, value);
const port = Number(optionValue(args, "--port"));
const ip = optionValue(args, "--ip")!;
if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`--port must be a port number, 1 to 65535`, 2);
const url = `http://${ip.includes(":") ? `[${ip}]` : ip}:${port}`;
const state = resolve(optionValue(args, "--persist-to")!);
const inCwd = relative(process.cwd(), state);
const shownState = inCwd === "" || inCwd.startsWith("..") ? state : inCwd;
// What to suggest instead: ten up, as the README's example (8787 → 8797, 9229 → 9239).
const nextPort = port + 10;
const nextInspector = Number(optionValue(args, "--inspector-port") ?? 9229) + 10;
const lockFile = `${state}.lock`;

const inUse = (holder: Lock) =>
  fail(
    `${shownState} is in use by another npm start (pid ${holder.pid}, serving ${holder.url}): stop that one ` +
      `(Ctrl-C in its terminal), or give this one its own port and state: ` +
      `npm start -- --port ${nextPort} --inspector-port ${nextInspector} --persist-to ${shownState}-${nextPort}`,
  );
const holder = liveHolder(lockFile);
if (holder !== null) inUse(holder);
if (await portTaken(ip, port)) {
  fail(
    `port ${port} on ${ip} is taken by ${await whoAnswers(url)}: stop it, or choose another port: ` +
      `npm start -- --port ${nextPort} (then --url http://127.0.0.1:${nextPort} for npm run send, simulate and watch)`,
  );
}

// Taken with O_EXCL, so of two starts at the same moment only one gets it.
mkdirSync(dirname(lockFile), { recursive: true });
rmSync(lockFile, { force: true }); // stale: its holder is gone (checked above)
try {
  writeFileSync(lockFile, `${JSON.stringify({ pid: process.pid, url, startedAt: Date.now() } satisfies Lock)}\n`, {
    flag: "wx",
  });
} catch {
  inUse(liveHolder(lockFile) ?? { pid: NaN, url: "?", startedAt: 0 });
}
const removeLock = () => {
  try {
    if ((JSON.parse(readFileSync(lockFile, "utf8")) as Lock).pid === process.pid) rmSync(lockFile);
  } catch {
    // already gone
  }
};

const wrangler = process.env.PRESENCE_EDGE_WRANGLER ?? join(ROOT, "node_modules/wrangler/bin/wrangler.js");
// process.execPath is the pinned Node 24 (the wrangler shebang would pick the global Node).
const child = spawn(process.execPath, [wrangler, "dev", ...args], { stdio: "inherit" });
// Ctrl-C reaches wrangler too (same process group): wait for it to stop. A signal sent to this
// process alone is passed on.
process.on("SIGINT", () => {});
for (const signal of ["SIGTERM", "SIGHUP"] as const) process.on(signal, () => child.kill(signal));
child.on("error", (error) => {
  removeLock();
  fail(`cannot run wrangler (${wrangler}): ${error.message}; run npm install first`);
});
child.on("exit", (code, signal) => {
  removeLock();
  process.exit(code ?? (signal === "SIGINT" ? 130 : 1));
});

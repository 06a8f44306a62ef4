// The command line every script shares (scripts/lib/cli.ts): --help, strict options with a
// one-line usage error, and failures as one line that says what to do, never a stack trace.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import {
  CliFailure,
  failureLine,
  isConnectionRefused,
  parseCommandLine,
  reaching,
  unreachable,
  type Command,
} from "../../scripts/lib/cli.ts";

const SEND = {
  name: "npm run send",
  usage: "usage: npm run send -- <account>",
  positionals: true,
  options: { url: { type: "string", default: "http://127.0.0.1:8787" }, json: { type: "boolean", default: false } },
} as const satisfies Command<Record<string, { type: "string" | "boolean"; default: string | boolean }>>;
const OPTIONS_ONLY = { ...SEND, name: "npm run subscriber", positionals: false };

const pointer = "(npm run send -- --help shows the usage)";

/** A fetch refused the way undici refuses it: a TypeError whose cause is the socket error. */
async function refusedFetchError(): Promise<unknown> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return fetch(`http://127.0.0.1:${port}/`).then(
    () => expect.unreachable("nothing listens there"),
    (error: unknown) => error,
  );
}

describe("parseCommandLine", () => {
  it("answers --help and -h before anything else, even beside a bad option", () => {
    expect(parseCommandLine(SEND, ["--help"])).toStrictEqual({ kind: "help" });
    expect(parseCommandLine(SEND, ["alice", "-h", "--nope"])).toStrictEqual({ kind: "help" });
  });

  it("does not take --help after -- as a request for help", () => {
    expect(parseCommandLine(SEND, ["--", "--help"])).toMatchObject({ kind: "ok", positionals: ["--help"] });
  });

  it("gives the values, defaults filled in, and the positionals", () => {
    // toEqual: node:util's parseArgs gives the values as an object without a prototype.
    expect(parseCommandLine(SEND, ["alice", "--url", "http://x", "Login"])).toEqual({
      kind: "ok",
      values: { url: "http://x", json: false },
      positionals: ["alice", "Login"],
    });
  });

  it.each([
    [["--nope"], `unknown option --nope ${pointer}`],
    [["-x"], `unknown option -x ${pointer}`],
    [["--url"], `--url needs a value, e.g. --url VALUE ${pointer}`],
    [["--url", "--json"], `--url needs a value, e.g. --url VALUE ${pointer}`],
    [["--json=yes"], `--json takes no value ${pointer}`],
  ])("refuses %j in one line that names it and points at --help", (argv, message) => {
    expect(parseCommandLine(SEND, argv)).toStrictEqual({ kind: "error", message });
  });

  it("refuses a positional argument where the command takes options only", () => {
    expect(parseCommandLine(OPTIONS_ONLY, ["8788"])).toStrictEqual({
      kind: "error",
      message:
        'unexpected argument "8788": this command takes options only (npm run subscriber -- --help shows the usage)',
    });
  });
});

describe("failures as one line", () => {
  it("says a refused connection in plain words, and names the service and its fix through unreachable", async () => {
    const error = await refusedFetchError();
    expect(isConnectionRefused(error)).toBe(true);
    expect(failureLine(error)).toMatch(/^connection refused at 127\.0\.0\.1:\d+$/);
    const worker = { what: "the Worker", url: "http://127.0.0.1:8787", fix: "start it with `npm start`" };
    expect(unreachable(worker, error)).toStrictEqual(
      new CliFailure("nothing answers at http://127.0.0.1:8787 (the Worker): start it with `npm start`"),
    );
    await expect(reaching(worker, Promise.reject(error))).rejects.toThrow(
      "nothing answers at http://127.0.0.1:8787 (the Worker): start it with `npm start`",
    );
  });

  it("says a timeout is one, and leaves any other error to the caller", async () => {
    const timeout = new DOMException("The operation was aborted due to timeout", "TimeoutError");
    const worker = { what: "the Worker", url: "http://127.0.0.1:8787", fix: "start it with `npm start`" };
    expect(unreachable(worker, timeout)?.message).toBe(
      "the Worker at http://127.0.0.1:8787 did not answer in time: is it stuck? start it with `npm start`",
    );
    const other = new Error("HTTP 500");
    expect(unreachable(worker, other)).toBeNull();
    await expect(reaching(worker, Promise.reject(other))).rejects.toBe(other);
  });

  it("keeps the first line of any other error, with its code, and a CliFailure as it is", () => {
    const error = Object.assign(new Error("cannot open demo.env\n    at readFileSync (node:fs)"), { code: "ENOENT" });
    expect(failureLine(error)).toBe("cannot open demo.env (ENOENT)");
    expect(failureLine(new CliFailure("--users must be a whole number"))).toBe("--users must be a whole number");
    expect(failureLine("thrown text")).toBe("thrown text");
  });
});

// The scripts themselves: each answers --help with its usage and an unknown option with one line.
const SCRIPTS = [
  ["npm run send", "scripts/send-callback.ts"],
  ["npm run subscriber", "scripts/subscriber.ts"],
  ["npm run tencent", "scripts/tencent-standin.ts"],
  ["npm run usersig", "scripts/usersig.ts"],
  ["npm run watch", "scripts/watch.ts"],
  ["npm run simulate", "scripts/simulate.ts"],
  ["npm run simulate:lost-logouts", "scripts/sim/lost-logouts.ts"],
  ["npm run simulate:smoke", "scripts/sim/smoke.ts"],
  ["npm run screenshots", "scripts/screenshots.ts"],
  ["npm run build", "scripts/build.ts"],
  ["npm run bench", "bench/run.ts"],
  ["npm run bench:profile", "bench/profile.ts"],
] as const; // npm start passes options on to wrangler: test/node/start.test.ts

function run(script: string, args: string[]) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const holders: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of holders.splice(0)) await close();
});

describe("every script", () => {
  // Each spawns Node on a script that loads its imports (the bench's, playwright's) first: a
  // few seconds each on a busy machine.
  it.each(SCRIPTS)("%s answers --help with its usage", { timeout: 30_000 }, async (name, script) => {
    const { code, stdout, stderr } = await run(script, ["--help"]);
    expect({ code, stderr }).toStrictEqual({ code: 0, stderr: "" });
    expect(stdout).toMatch(new RegExp(`^usage: ${name.replace(" run ", " run (-s )?")}`));
  });

  it.each(SCRIPTS)("%s refuses an unknown option in one line", { timeout: 30_000 }, async (name, script) => {
    const { code, stderr } = await run(script, ["--no-such-option"]);
    expect({ code, stderr }).toStrictEqual({
      code: 2,
      stderr: `${name}: unknown option --no-such-option (${name} -- --help shows the usage)\n`,
    });
  });

  it("npm run tencent on a taken port says so in one line and what to do", { timeout: 30_000 }, async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    holders.push(() => new Promise<void>((resolve) => holder.close(() => resolve())));
    const { port } = holder.address() as { port: number };
    const { code, stderr } = await run("scripts/tencent-standin.ts", ["--port", String(port)]);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      new RegExp(`^npm run tencent: port ${port} on 127\\.0\\.0\\.1 is taken: another .*--port 8799.*\\n$`),
    );
  });

  it("npm run send with the Worker down says to start it, in one line", { timeout: 30_000 }, async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as { port: number };
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const { code, stderr } = await run("scripts/send-callback.ts", ["dave", "--url", `http://127.0.0.1:${port}`]);
    expect({ code, stderr }).toStrictEqual({
      code: 1,
      stderr: `npm run send: nothing answers at http://127.0.0.1:${port} (the Worker): start it with \`npm start\`, or give its --url\n`,
    });
  });
});

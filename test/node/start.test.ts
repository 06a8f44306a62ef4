// `npm start` (scripts/start.ts): a second start must refuse, naming the port or the running
// instance, instead of letting wrangler move to the next port and share .wrangler/state. The
// wrapper runs a stand-in of wrangler here (PRESENCE_EDGE_WRANGLER) that records its arguments,
// so no workerd is started.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const FAKE_WRANGLER = `import { writeFileSync } from "node:fs";
writeFileSync(process.env.FAKE_WRANGLER_OUT, JSON.stringify(process.argv.slice(2)));
if (process.env.FAKE_WRANGLER_HOLD) setInterval(() => {}, 1000); // runs until it is stopped
`;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function workspace() {
  const dir = mkdtempSync(join(tmpdir(), "npm-start-"));
  const fake = join(dir, "fake-wrangler.mjs");
  writeFileSync(fake, FAKE_WRANGLER);
  return { dir, fake, state: join(dir, "state"), argvFile: join(dir, "argv.json") };
}

type Workspace = ReturnType<typeof workspace>;

function start(ws: Workspace, args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ["scripts/start.ts", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, PRESENCE_EDGE_WRANGLER: ws.fake, FAKE_WRANGLER_OUT: ws.argvFile, ...env },
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (code) => resolve({ code, stdout, stderr })),
  );
  return { child, exited };
}

async function listening(server: Server | ReturnType<typeof createHttpServer>): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ("closeAllConnections" in server) server.closeAllConnections();
      }),
  );
  return (server.address() as { port: number }).port;
}

async function freePort(): Promise<number> {
  const server = createServer();
  const port = await listening(server);
  await cleanups.pop()!();
  return port;
}

/** Polls until the condition holds (a child process starting up), failing after a generous deadline. */
async function until(what: string, condition: () => boolean) {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50)); // the polling interval
  }
}

describe("npm start", () => {
  it("refuses a taken port in one line naming it, and never runs wrangler", async () => {
    const ws = workspace();
    const port = await listening(createServer((socket) => socket.destroy())); // not HTTP: "another program"
    const { code, stderr } = await start(ws, ["--port", String(port), "--persist-to", ws.state]).exited;
    expect(code).toBe(1);
    expect(stderr).toBe(
      `npm start: port ${port} on 127.0.0.1 is taken by another program: stop it, or choose another port: ` +
        `npm start -- --port ${port + 10} (then --url http://127.0.0.1:${port + 10} for npm run send, simulate and watch)\n`,
    );
    expect(existsSync(ws.argvFile)).toBe(false);
  });

  it("says when a presence-edge Worker holds the port", async () => {
    const ws = workspace();
    const worker = createHttpServer((_, res) => res.writeHead(200).end('{"ok":true}'));
    const port = await listening(worker);
    const { code, stderr } = await start(ws, ["--port", String(port), "--persist-to", ws.state]).exited;
    expect(code).toBe(1);
    expect(stderr).toContain(`port ${port} on 127.0.0.1 is taken by a presence-edge Worker`);
  });

  it("runs wrangler dev with the given arguments and the demo defaults, then removes its lock", async () => {
    const ws = workspace();
    const port = await freePort();
    const args = ["--port", String(port), "--persist-to", ws.state, "--inspector-port", "9239"];
    const { code } = await start(ws, args).exited;
    expect(code).toBe(0);
    expect(JSON.parse(readFileSync(ws.argvFile, "utf8"))).toStrictEqual([
      "dev",
      ...args,
      "--env-file",
      "demo.env",
      "--ip",
      "127.0.0.1",
    ]);
    expect(existsSync(`${ws.state}.lock`)).toBe(false);
  });

  it("refuses a second start on the same state, naming the first's pid and URL, whatever its port", async () => {
    const ws = workspace();
    const [firstPort, secondPort] = [await freePort(), await freePort()];
    const first = start(ws, ["--port", String(firstPort), "--persist-to", ws.state], { FAKE_WRANGLER_HOLD: "1" });
    cleanups.push(async () => {
      if (first.child.exitCode === null) first.child.kill("SIGTERM");
      await first.exited;
    });
    await until("the first start's wrangler", () => existsSync(ws.argvFile));

    const second = await start(ws, ["--port", String(secondPort), "--persist-to", ws.state]).exited;
    expect(second.code).toBe(1);
    expect(second.stderr.trim().split("\n")).toHaveLength(1);
    expect(second.stderr).toContain(
      `is in use by another npm start (pid ${first.child.pid}, serving http://127.0.0.1:${firstPort})`,
    );

    first.child.kill("SIGTERM"); // passed on to its wrangler
    await first.exited;
    expect(existsSync(`${ws.state}.lock`)).toBe(false);
  });

  it("takes over the lock of a start that is gone", async () => {
    const ws = workspace();
    const gone = spawn(process.execPath, ["-e", ""]);
    await new Promise((resolve) => gone.on("close", resolve));
    writeFileSync(`${ws.state}.lock`, JSON.stringify({ pid: gone.pid, url: "http://127.0.0.1:8787", startedAt: 0 }));
    const { code } = await start(ws, ["--port", String(await freePort()), "--persist-to", ws.state]).exited;
    expect(code).toBe(0);
    expect(existsSync(ws.argvFile)).toBe(true);
  });

  it("answers --help with its usage, without running wrangler", async () => {
    const ws = workspace();
    const { code, stdout } = await start(ws, ["--help"]).exited;
    expect(code).toBe(0);
    expect(stdout).toMatch(/^usage: npm start/);
    expect(existsSync(ws.argvFile)).toBe(false);
  });
});

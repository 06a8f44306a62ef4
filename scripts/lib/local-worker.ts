// Runs this Worker locally with `wrangler dev`, as `npm start` does (its custom build makes
// the console and openapi.json first), on a given port with fresh storage, for the browser
// tests and the screenshots. Readiness is polled, never slept on.
//
// Runs on Node 24 with type stripping: no enums, no parameter properties, `.ts` imports.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const ROOT = new URL("../..", import.meta.url).pathname;

/** KEY=VALUE lines of an env file; comments and blank lines skipped. */
export function readEnvFile(path: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) vars[m[1]!] = m[2]!;
  }
  return vars;
}

export interface LocalWorker {
  readonly url: string;
  readonly vars: Readonly<Record<string, string>>;
  /** What wrangler printed, for a failure message. */
  output(): string;
  stop(): Promise<void>;
}

export interface LocalWorkerOptions {
  readonly port: number;
  /** workerd's DevTools inspector (default port + 1000). */
  readonly inspectorPort?: number;
  /** Variables over the local demo configuration (demo.env). */
  readonly vars?: Readonly<Record<string, string>>;
  /** How long the build and workerd may take to come up; the machine may be busy. */
  readonly readyTimeoutMs?: number;
}

export async function startLocalWorker(options: LocalWorkerOptions): Promise<LocalWorker> {
  const dir = mkdtempSync(join(tmpdir(), "presence-edge-worker-"));
  const vars = { ...readEnvFile(join(ROOT, "demo.env")), ...options.vars };
  const envFile = join(dir, "worker.env");
  writeFileSync(
    envFile,
    Object.entries(vars)
      .map(([k, v]) => `${k}=${v}`)
      .join("\n") + "\n",
  );
  const url = `http://127.0.0.1:${options.port}`;
  let log = "";
  const child: ChildProcess = spawn(
    process.execPath,
    [
      join(ROOT, "node_modules/wrangler/bin/wrangler.js"),
      "dev",
      "--env-file",
      envFile,
      "--ip",
      "127.0.0.1",
      "--port",
      String(options.port),
      "--inspector-port",
      String(options.inspectorPort ?? options.port + 1000),
      "--persist-to",
      join(dir, "state"),
      "--show-interactive-dev-session=false",
    ],
    {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false", CI: "true" },
    },
  );
  child.stdout?.on("data", (d: Buffer) => (log += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (log += d.toString()));
  let exited = false;
  child.on("exit", () => (exited = true));

  const stop = async () => {
    if (!exited && child.pid !== undefined) {
      const gone = new Promise((resolve) => child.once("exit", resolve));
      try {
        process.kill(-child.pid, "SIGTERM"); // the whole group: wrangler and its workerd
      } catch {
        // already gone
      }
      await gone;
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 180_000);
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`wrangler dev exited before it was ready:\n${log}`);
    }
    try {
      const [health, page] = await Promise.all([
        fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5000) }),
        fetch(`${url}/console/`, { signal: AbortSignal.timeout(5000) }),
      ]);
      if (health.ok && page.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`wrangler dev was not ready at ${url} in time:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250)); // the polling interval, not a wait for readiness
  }
  return { url, vars, output: () => log, stop };
}

/** A port nothing listens on now, chosen by the system (for a run that must not clash with another). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
    });
  });
}

export interface TencentStandin {
  readonly url: string;
  readonly child: ChildProcess;
  /** What it wrote to stderr so far (to say why it exited). */
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * The local stand-in of Tencent's REST API (`npm run tencent`). By default on a free port (its
 * first line names the URL) with demo.env's app and key, as `npm run tencent` reads them from
 * the working directory; `cwd` and `env` give it other keys, `script` another checkout's copy.
 */
export function startTencentStandin(
  options: { port?: number; cwd?: string; env?: NodeJS.ProcessEnv; script?: string } = {},
): Promise<TencentStandin> {
  const script = options.script ?? join(ROOT, "scripts/tencent-standin.ts");
  const child = spawn(process.execPath, [script, "--port", String(options.port ?? 0), "--quiet"], {
    cwd: options.cwd ?? ROOT,
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  let stdout = "";
  let stderr = "";
  let started = false;
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  return new Promise((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      if (started) return; // the banner after the URL line (--quiet: no request lines)
      stdout += chunk.toString("utf8");
      const found = /stand-in on (http:\/\/\S+)/.exec(stdout);
      if (!found) return;
      started = true;
      resolve({
        url: found[1]!,
        child,
        stderr: () => stderr,
        async stop() {
          child.kill();
          await exited;
        },
      });
    });
    child.once("exit", (code) => {
      const why = stderr.split("\n").filter((l) => /Error|^file:/.test(l));
      reject(
        new Error(
          `the Tencent stand-in exited (${code}): ${(why.length ? why.slice(0, 3).join(" | ") : stderr).slice(0, 400)}`,
        ),
      );
    });
  });
}

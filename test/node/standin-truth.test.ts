// The Tencent stand-in's truth follows what the demo's tools send (scripts/lib/standin-truth.ts):
// before, `npm run send -- dave Login IOS` left the stand-in answering Offline for dave, and the
// first staleness check "healed" his login away.
import { spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTencentStandin, type TencentStandin } from "../../scripts/lib/local-worker.ts";
import { setTruth, truthMirror, truthOf } from "../../scripts/lib/standin-truth.ts";

const APP = "1400000000";
let standin: TencentStandin;

beforeAll(async () => {
  standin = await startTencentStandin(); // demo.env's app and key, on a free port
}, 60_000); // Node loading the stand-in's sources on a busy machine

afterAll(async () => {
  await standin?.stop();
});

const truth = async (account: string) => {
  const res = await fetch(`${standin.url}/truth/${APP}/${account}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe("truthOf", () => {
  it("says each platform's state in Tencent's words, with the custom status", () => {
    expect(
      truthOf({
        status: "online",
        customStatus: "away",
        platforms: { iOS: { status: "online" }, Android: { status: "disconnected" }, Web: { status: "offline" } },
      }),
    ).toStrictEqual({ platforms: { iOS: "Online", Android: "PushOnline", Web: "Offline" }, customStatus: "away" });
    expect(truthOf({ status: "unknown" })).toStrictEqual({ platforms: {}, customStatus: null });
  });
});

describe("truthMirror", () => {
  it("sets each account's truth to what the Worker shows when the stand-in runs", async () => {
    const mirror = truthMirror(standin.url, APP);
    expect(await mirror.running()).toBe(true);
    const followed = await mirror.follow({
      "mirror-dave": { status: "online", platforms: { iOS: { status: "offline" }, Windows: { status: "online" } } },
    });
    expect(followed).toBe(true);
    expect(await truth("mirror-dave")).toStrictEqual({
      status: 200,
      body: { platforms: { iOS: "Offline", Windows: "Online" }, customStatus: null, status: "online" },
    });
  });

  it("leaves the stand-in alone when it does not run, or when told so with an empty URL", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as { port: number };
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const snapshot = { "mirror-erin": { status: "online", platforms: { iOS: { status: "online" } } } };
    expect(await truthMirror(`http://127.0.0.1:${port}`, APP).follow(snapshot)).toBe(false);
    expect(await truthMirror("", APP).follow(snapshot)).toBe(false);
    expect((await truth("mirror-erin")).status).toBe(404);
  });

  it("passes on the stand-in's refusal of an entry", async () => {
    await expect(setTruth(standin.url, APP, { x: { platforms: { Nokia: "Online" } } })).rejects.toThrow(
      /refused the truth: HTTP 400 .*unknown platform Nokia/,
    );
  });
});

describe("npm run send with the stand-in running", () => {
  let worker: Server;
  let workerUrl = "";
  const snapshot = {
    account: "send-dave",
    status: "online",
    platforms: { iOS: { status: "online", reason: "Register", since: Date.now() } },
  };

  beforeAll(async () => {
    // A Worker that accepts the callback and shows the presence it would then hold.
    worker = createServer((req, res) => {
      const body = req.url!.startsWith("/callback")
        ? { ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" }
        : req.url === `/v1/apps/${APP}/users/send-dave`
          ? snapshot
          : { error: "not found" };
      res.writeHead(body === snapshot || "ActionStatus" in body ? 200 : 404, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => worker.listen(0, "127.0.0.1", resolve));
    workerUrl = `http://127.0.0.1:${(worker.address() as { port: number }).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => worker.close(() => resolve())));

  it("prints the presence after the reply and sets the account's truth to it", { timeout: 30_000 }, async () => {
    const out = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        ["scripts/send-callback.ts", "send-dave", "Login", "IOS", "--url", workerUrl, "--tencent", standin.url],
        { stdio: ["ignore", "pipe", "inherit"] },
      );
      let stdout = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.on("close", (code) => resolve({ code, stdout }));
    });
    expect(out.code).toBe(0);
    expect(out.stdout.split("\n")).toStrictEqual([
      '200 {"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}',
      expect.stringMatching(/^send-dave is online: iOS online since \d\d:\d\d:\d\d \(Register\)$/),
      `Tencent stand-in at ${standin.url} now says the same: iOS Online`,
      "",
    ]);
    expect((await truth("send-dave")).body).toMatchObject({ platforms: { iOS: "Online" }, status: "online" });
  });
});

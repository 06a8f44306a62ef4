// `npm run tencent` as the demo, the simulator and the bench start it: Node runs
// scripts/tencent-standin.ts with type stripping (so every src file it loads must be erasable
// TypeScript with .ts imports), and a client signing with tls-sig-api-v2 gets Tencent's answer.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import TLSSigAPIv2 from "tls-sig-api-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const APP = "1400000000";
const KEY = "node-test-secret-key";
let child: ChildProcess;
let base = "";

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "tencent-standin-"));
  const envFile = join(dir, "test.env");
  writeFileSync(envFile, `IM_SDKAPPIDS=${APP}\nIM_SECRET_KEY=${KEY}\n`);
  child = spawn(process.execPath, ["scripts/tencent-standin.ts", "--port", "0", "--env-file", envFile, "--quiet"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  base = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
      const found = /stand-in on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (found) resolve(found[1]!);
    });
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.on("exit", (code) => reject(new Error(`the stand-in exited (${code}): ${output}`)));
  });
}, 60_000);

afterAll(() => {
  child?.kill();
});

const query = (userSig: string, body: unknown) =>
  fetch(
    `${base}/v4/openim/query_online_status?sdkappid=${APP}&identifier=administrator&usersig=${userSig}&random=7&contenttype=json`,
    { method: "POST", body: JSON.stringify(body) },
  ).then((r) => r.json() as Promise<Record<string, unknown>>);

describe("npm run tencent", () => {
  it("answers a tls-sig-api-v2 client from the truth table it was given", async () => {
    const put = await fetch(`${base}/truth/${APP}/alice`, {
      method: "PUT",
      body: JSON.stringify({ platforms: { iOS: "Online", Windows: "PushOnline" } }),
    });
    expect(put.status).toBe(200);
    const userSig = new TLSSigAPIv2.Api(Number(APP), KEY).genUserSig("administrator", 86400);
    expect(await query(userSig, { To_Account: ["alice", "bob"], IsNeedDetail: 1 })).toStrictEqual({
      ActionStatus: "OK",
      ErrorInfo: "",
      ErrorCode: 0,
      QueryResult: [
        {
          To_Account: "alice",
          Status: "Online",
          Detail: [
            { Platform: "iPhone", Status: "Online" },
            { Platform: "PC", Status: "PushOnline" },
          ],
        },
        { To_Account: "bob", Status: "Offline" },
      ],
      ErrorList: [],
    });
  });

  it("refuses a UserSig made with another key, as Tencent does", async () => {
    const userSig = new TLSSigAPIv2.Api(Number(APP), "another key").genUserSig("administrator", 86400);
    expect(await query(userSig, { To_Account: ["alice"] })).toMatchObject({ ActionStatus: "FAIL", ErrorCode: 70009 });
    const stats = (await (await fetch(`${base}/stats`)).json()) as Record<string, unknown>;
    expect(stats).toMatchObject({ calls: 2, answered: 1, failed: 1, byErrorCode: { "70009": 1 } });
  });

  it("kicks as Tencent does: an admin's ticket sets the account Offline, a user's own is refused", async () => {
    await fetch(`${base}/truth/${APP}/mallory`, {
      method: "PUT",
      body: JSON.stringify({ platforms: { iOS: "Online", Web: "PushOnline" } }),
    });
    const kick = (identifier: string) =>
      fetch(
        `${base}/v4/im_open_login_svc/kick?sdkappid=${APP}&identifier=${identifier}&usersig=${new TLSSigAPIv2.Api(Number(APP), KEY).genUserSig(identifier, 86400)}&random=7&contenttype=json`,
        { method: "POST", body: JSON.stringify({ UserID: "mallory" }) },
      ).then((r) => r.json() as Promise<Record<string, unknown>>);
    expect(await kick("mallory")).toMatchObject({ ActionStatus: "FAIL", ErrorCode: 60010 });
    expect(await kick("administrator")).toStrictEqual({ ActionStatus: "OK", ErrorInfo: "", ErrorCode: 0 });
    const truth = (await (await fetch(`${base}/truth/${APP}/mallory`)).json()) as Record<string, unknown>;
    expect(truth).toMatchObject({ platforms: { iOS: "Offline", Web: "Offline" }, status: "offline" });
  });
});

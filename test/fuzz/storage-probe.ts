// Shared by the fuzz suites: proves that rejected requests left no storage behind.
import { listDurableObjectIds, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, vi } from "vitest";
import { OTHER_CALLBACK_TOKEN, ROTATED_API_TOKEN, TEST_API_TOKEN, TEST_CALLBACK_TOKEN } from "../support/bindings";

const SECRETS = [TEST_CALLBACK_TOKEN, OTHER_CALLBACK_TOKEN, TEST_API_TOKEN, ROTATED_API_TOKEN];

export const idOf = (app: string, account: string) => env.USER_PRESENCE.idFromName(`${app}:${account}`).toString();

/** Tables in one user's SQLite storage (none for a user nothing was stored for). */
export async function tablesOf(id: string): Promise<string[]> {
  const stub = env.USER_PRESENCE.get(env.USER_PRESENCE.idFromString(id));
  return runInDurableObject(stub, (_instance, state) =>
    state.storage.sql
      .exec<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\'",
      )
      .toArray()
      .map((r) => r.name),
  );
}

/**
 * Every Durable Object this file created must belong to an accepted account; any other
 * one (a read, or a future design that validates inside the object) must hold no tables.
 * Every accepted account must have storage.
 */
export async function expectStorageOnlyFor(accepted: ReadonlySet<string>): Promise<void> {
  const listed = (await listDurableObjectIds(env.USER_PRESENCE)).map(String);
  for (const id of accepted) expect(listed, "an accepted callback left no Durable Object").toContain(id);
  for (const id of listed) {
    if (!accepted.has(id)) expect(await tablesOf(id), `storage of a rejected request (${id})`).toEqual([]);
  }
  for (const id of accepted) expect(await tablesOf(id)).toContain("history");
}

/** The Worker logs one line per callback; thousands of them only slow the fuzz suites. */
export function silenceLogs(): void {
  vi.spyOn(console, "log").mockImplementation(() => {});
}

export async function expectTencentReply(res: Response, status: number): Promise<Record<string, unknown>> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  const body = JSON.parse(text) as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(["ActionStatus", "ErrorCode", "ErrorInfo"]);
  expect(typeof body.ErrorInfo).toBe("string");
  for (const secret of SECRETS) expect(text).not.toContain(secret);
  if (status === 200) expect(body).toMatchObject({ ActionStatus: "OK", ErrorCode: 0 });
  else expect(body).toMatchObject({ ActionStatus: "FAIL", ErrorCode: 1 });
  return body;
}

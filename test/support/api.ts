import { exports } from "cloudflare:workers";
import { TEST_API_TOKEN, TEST_APP } from "./bindings";

export function apiFetch(
  path: string,
  init: RequestInit = {},
  token: string | null = TEST_API_TOKEN,
): Promise<Response> {
  const headers = new Headers(init.headers);
  if (token !== null) headers.set("authorization", `Bearer ${token}`);
  return exports.default.fetch(`https://presence.test${path}`, { ...init, headers });
}

export const userPath = (account: string, app = TEST_APP) => `/v1/apps/${app}/users/${encodeURIComponent(account)}`;

export async function getSnapshot(account: string, app = TEST_APP): Promise<Record<string, any>> {
  const res = await apiFetch(userPath(account, app));
  if (res.status !== 200) throw new Error(`GET snapshot: ${res.status} ${await res.text()}`);
  return res.json();
}

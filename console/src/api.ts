// The read API as the console calls it: one bearer token, JSON in and out, errors carrying
// the API's own message (it names the field and says how to fix it).

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Tencent's ErrorCode, where a call to Tencent failed (a 502); null otherwise or when it gave none. */
    readonly errorCode: number | null = null,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export interface Api {
  get<T>(path: string, signal?: AbortSignal): Promise<T>;
  post<T>(path: string, body?: unknown, signal?: AbortSignal): Promise<T>;
}

export function apiClient(token: string): Api {
  async function call<T>(method: string, path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
        signal: signal ?? null,
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new ApiError(0, "network", "The Worker did not answer: is it running and reachable?");
    }
    const text = await response.text();
    let json: unknown = null;
    try {
      json = text === "" ? null : JSON.parse(text);
    } catch {
      // not JSON: reported below by status
    }
    if (!response.ok) {
      const error = json as { error?: string; message?: string; errorCode?: unknown } | null;
      const errorCode = typeof error?.errorCode === "number" ? error.errorCode : null;
      throw new ApiError(
        response.status,
        error?.error ?? "http",
        error?.message ?? `HTTP ${response.status}`,
        errorCode,
      );
    }
    return json as T;
  }
  return {
    get: (path, signal) => call("GET", path, undefined, signal),
    post: (path, body, signal) => call("POST", path, body, signal),
  };
}

export const appPath = (app: string) => `/v1/apps/${encodeURIComponent(app)}`;
export const userPath = (app: string, account: string) => `${appPath(app)}/users/${encodeURIComponent(account)}`;

// GET /healthz, no auth. 200 when the configuration parses; 503 naming the variable when
// it does not, so a misconfigured deploy is visible before any callback arrives.
import { ConfigError, loadConfig } from "../config";

export function healthz(_request: Request, env: Env): Response {
  try {
    loadConfig(env);
    return Response.json({ ok: true });
  } catch (error) {
    if (error instanceof ConfigError) return Response.json({ ok: false, error: error.message }, { status: 503 });
    throw error;
  }
}

// Structured logs: one JSON object a line, which Workers Logs indexes by field.
// Callers pass only what is safe to keep: never a token, a signature or a secret.
export function log(fields: Record<string, unknown>): void {
  console.log(JSON.stringify(fields));
}

// zod/mini (the tree-shakable build of zod 4) ships no error messages, which keeps the
// Worker bundle small; this turns the first issue into "field: what is wrong".
import type { $ZodIssue } from "zod/v4/core";
import type { ZodMiniType } from "zod/mini";

export type Validated<T> =
  { readonly ok: true; readonly data: T } | { readonly ok: false; readonly field: string; readonly message: string };

// zod/mini carries no messages of its own: a message other than its "Invalid input" is the one
// the schema wrote for this check, and says it best.
const GENERIC = "Invalid input";

function describe(issue: $ZodIssue): string {
  if (issue.message && issue.message !== GENERIC) return issue.message;
  switch (issue.code) {
    case "invalid_type":
      return `expected ${issue.expected}`;
    case "too_big":
      return issue.origin === "array" || issue.origin === "string"
        ? `must hold at most ${issue.maximum} ${issue.origin === "array" ? "items" : "characters"}`
        : `must be at most ${issue.maximum}`;
    case "too_small":
      return issue.origin === "array" || issue.origin === "string"
        ? `must hold at least ${issue.minimum} ${issue.origin === "array" ? "items" : "characters"}`
        : `must be at least ${issue.minimum}`;
    case "invalid_format":
      return issue.format === "regex" ? "has the wrong format" : `must be a valid ${issue.format}`;
    case "invalid_value":
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "not_multiple_of":
      return "must be a whole number";
    case "unrecognized_keys":
      return `unknown field ${issue.keys.join(", ")}`;
    default:
      return "is invalid";
  }
}

/** Parses `value`; on failure names the first offending field (`root` when it is the value itself). */
export function validate<T>(schema: ZodMiniType<T, unknown>, value: unknown, root: string): Validated<T> {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, data: result.data };
  const issue = result.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.map(String).join(".") : root;
  return { ok: false, field, message: `${field}: ${issue ? describe(issue) : "is invalid"}` };
}

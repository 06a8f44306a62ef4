// How GET endpoints read their query string: each key of the endpoint's own zod object, taken
// from the URL (first value), validated whole, so a bad parameter is a 400 naming it. The same
// schema documents the parameters in openapi.json.
import * as z from "zod/mini";
import { validate, type Validated } from "../lib/validation";

/** A query parameter holding a whole number from `min` to `max`; `what` says what it is. */
export const wholeParam = (min: number, max: number, what = "a whole number") => {
  const message = `must be ${what} from ${min} to ${max}`;
  return z
    .pipe(z.string().check(z.regex(/^\d{1,16}$/, message)), z.transform(Number))
    .check(z.refine((n) => n >= min && n <= max, message));
};

/** The request's query parameters that `schema` names, validated (`query` names a bad one). */
export function readQuery<T>(request: Request, schema: z.ZodMiniObject & z.ZodMiniType<T, unknown>): Validated<T> {
  const params = new URL(request.url).searchParams;
  const raw = Object.fromEntries(Object.keys(schema.shape).map((key) => [key, params.get(key) ?? undefined]));
  return validate(schema, raw, "query");
}

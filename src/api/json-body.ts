// The JSON body of an API request: read strictly (size, UTF-8, a body that cannot be read),
// parsed, and validated with the endpoint's own zod schema, each failure a 4xx that says what
// to fix. One reader for every endpoint that takes a body.
import * as z from "zod/mini";
import { BODY_PROBLEMS, readBody } from "../lib/read-body";
import { validate } from "../lib/validation";
import { ACCOUNT_RULE, validAccount } from "../presence/account";
import { apiError } from "./responses";

export type JsonBody<T> = { readonly ok: true; readonly data: T } | { readonly ok: false; readonly response: Response };

export interface JsonBodyOptions {
  readonly maxBytes: number;
  /** What an empty body means, when the endpoint allows one. */
  readonly empty?: unknown;
  /** Said after "malformed JSON", e.g. what to send. */
  readonly hint?: string;
}

export async function readJsonBody<T>(
  request: Request,
  schema: z.ZodMiniType<T, unknown>,
  options: JsonBodyOptions,
): Promise<JsonBody<T>> {
  const read = await readBody(request, options.maxBytes);
  if (!read.ok) {
    return {
      ok: false,
      response:
        read.problem === "too_large"
          ? apiError(413, "payload_too_large", `body: larger than ${options.maxBytes} bytes`)
          : apiError(400, "bad_request", BODY_PROBLEMS[read.problem]),
    };
  }
  let body: unknown;
  try {
    body = options.empty !== undefined && read.text.trim() === "" ? options.empty : JSON.parse(read.text);
  } catch {
    const hint = options.hint === undefined ? "" : `; ${options.hint}`;
    return { ok: false, response: apiError(400, "bad_request", `body: malformed JSON${hint}`) };
  }
  const parsed = validate(schema, body, "body");
  return parsed.ok ? parsed : { ok: false, response: apiError(400, "bad_request", parsed.message) };
}

/** A list of 1 to `max` account ids, each by the account rule. */
export const accountList = (max: number) =>
  z
    .array(z.string().check(z.refine(validAccount, ACCOUNT_RULE)))
    .check(z.minLength(1, "must hold at least one account"), z.maxLength(max, `must hold at most ${max} accounts`));

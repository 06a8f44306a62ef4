// Builds the OpenAPI 3.1 document from the route table (routes.ts). JSON Schemas come from
// zod's own toJSONSchema: requests as the endpoints validate them (their input side), answers
// from the schemas in schemas.ts. Run at build time (scripts/build.ts), never in the Worker.
import * as z from "zod/mini";
import { MAX_CALLBACK_BYTES } from "../ingest/callback-route";
import { docs } from "../lib/schema-docs";
import { ROUTES, type Auth, type Route } from "../api/routes";
import { apiErrorSchema, deliverySchema, historyEntrySchema, snapshotSchema, tencentReplySchema } from "../api/schemas";

type Json = Record<string, unknown>;

/** Schemas shared by many operations: emitted once under components.schemas and referred to. */
docs.add(snapshotSchema, { id: "Snapshot" });
docs.add(historyEntrySchema, { id: "HistoryEntry" });
docs.add(deliverySchema, { id: "Delivery" });
docs.add(apiErrorSchema, { id: "ApiError" });
docs.add(tencentReplySchema, { id: "TencentReply" });

const COMPONENT = "#/components/schemas/";

function jsonSchema(schema: z.ZodMiniType, io: "input" | "output"): Json {
  const id = docs.get(schema)?.id;
  if (id !== undefined) return { $ref: COMPONENT + id };
  const json = z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any", metadata: docs }) as Json;
  delete json["$schema"];
  delete json["$defs"]; // every $def is a named schema, emitted under components
  return JSON.parse(JSON.stringify(json).replaceAll('"#/$defs/', `"${COMPONENT}`)) as Json;
}

function components(): Json {
  const all = z.toJSONSchema(docs, { target: "draft-2020-12", uri: (id) => COMPONENT + id }) as {
    schemas: Record<string, Json>;
  };
  for (const schema of Object.values(all.schemas)) {
    delete schema["$schema"];
    delete schema["id"];
  }
  return all.schemas;
}

const PATH_PARAMETERS: Record<string, Json> = {
  app: {
    name: "app",
    in: "path",
    required: true,
    description: "The SDKAppID, one of IM_SDKAPPIDS.",
    schema: { type: "string", pattern: "^\\d{1,20}$" },
  },
  account: {
    name: "account",
    in: "path",
    required: true,
    description: "The UserID (`To_Account`), URL-encoded: 1 to 128 bytes of UTF-8, any characters.",
    schema: { type: "string" },
  },
};

function parameters(route: Route): Json[] {
  const out = [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => {
    const parameter = PATH_PARAMETERS[name!];
    if (parameter === undefined) throw new Error(`${route.path}: no description of the path parameter {${name}}`);
    return parameter;
  });
  if (route.query) {
    const query = jsonSchema(route.query, "input") as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, schema] of Object.entries(query.properties ?? {})) {
      const { description, ...rest } = schema;
      out.push({
        name,
        in: "query",
        required: query.required?.includes(name) ?? false,
        ...(description ? { description } : {}),
        schema: rest,
      });
    }
  }
  return out;
}

const json = (schema: z.ZodMiniType) => ({ content: { "application/json": { schema: jsonSchema(schema, "output") } } });
const apiError = (description: string) => ({ description, ...json(apiErrorSchema) });
const tencentError = (description: string) => ({ description, ...json(tencentReplySchema) });

function responses(route: Route, auth: Auth): Json {
  const status = route.status ?? (route.ok ? 200 : 204);
  const description = route.okDescription ?? (route.ok ? "OK" : "No content");
  const out: Json = { [status]: route.ok ? { description, ...json(route.ok) } : { description } };
  if (auth === "callback") {
    return {
      ...out,
      400: tencentError("Malformed JSON, a schema error or a bad query: ErrorInfo names the field"),
      401: tencentError("Missing or wrong Sign, or RequestTime outside ±60 s"),
      403: tencentError("SdkAppid not configured"),
      405: tencentError("Not POST"),
      413: tencentError(`Body over ${MAX_CALLBACK_BYTES / 1024} KiB`),
      500: tencentError("Storage failure: the event was not stored"),
    };
  }
  const extra = Object.fromEntries(
    Object.entries(route.errors ?? {}).map(([status, when]) => [status, apiError(when)]),
  );
  if (auth === "none" || auth === "usersig") return { ...out, ...extra };
  return {
    ...out,
    ...(route.query || route.body || route.path.includes("{account}")
      ? { 400: apiError("Invalid account, query or body: the message names the field") }
      : {}),
    401: apiError("Missing or wrong bearer token"),
    404: apiError("App not configured, or no such route"),
    ...(route.body ? { 413: apiError("Body too large") } : {}),
    500: apiError("A Durable Object call failed, or the configuration is invalid"),
    ...extra,
  };
}

function operation(route: Route): Json {
  const auth = route.auth ?? (route.path.startsWith("/v1/") ? "bearer" : "none");
  const params = parameters(route);
  return {
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    operationId: `${route.method}${route.path.replace(/\{(\w+)\}/g, "By_$1").replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? "").toUpperCase())}`,
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(route.body
      ? {
          requestBody: { required: true, content: { "application/json": { schema: jsonSchema(route.body, "input") } } },
        }
      : {}),
    responses: responses(route, auth),
    security:
      auth === "bearer"
        ? [{ bearer: [] }]
        : auth === "bearer-or-watch-token"
          ? [{ bearer: [] }, { watchToken: [] }]
          : [],
  };
}

export function openApiDocument(routes: readonly Route[] = ROUTES): Json {
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    const item = (paths[route.path] ??= {});
    if (item[route.method]) throw new Error(`${route.method.toUpperCase()} ${route.path} is in the route table twice`);
    item[route.method] = operation(route);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "presence-edge",
      version: "0.1.0",
      description:
        "Tencent Cloud IM State.StateChange callbacks turned into a presence service: the callback, the read API and webhook deliveries. Generated from the zod schemas the Worker validates requests with; see docs/API.md.",
    },
    servers: [{ url: "/" }],
    paths,
    components: {
      schemas: components(),
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "One of API_TOKENS." },
        watchToken: {
          type: "apiKey",
          in: "query",
          name: "token",
          description:
            "A watch token from POST /v1/apps/{app}/watch-tokens (browsers cannot set headers on a WebSocket).",
        },
      },
    },
  };
}

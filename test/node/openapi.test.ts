// openapi.json: generated from the route table, valid OpenAPI 3.1 by a real validator, and
// the file the Worker serves is that generated document.
import SwaggerParser from "@apidevtools/swagger-parser";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { openApiDocument } from "../../src/openapi/document";
import { ROUTES } from "../../src/api/routes";

describe("openapi.json", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const api = await SwaggerParser.validate(structuredClone(openApiDocument()) as never);
    expect((api as { openapi: string }).openapi).toBe("3.1.0");
  });

  it("the validator can fail", async () => {
    const broken = structuredClone(openApiDocument()) as any;
    broken.paths["/healthz"].get.responses = { 200: { content: {} } }; // a response needs a description
    await expect(SwaggerParser.validate(broken)).rejects.toThrow();
  });

  it("documents every row of the table, with the request schemas the endpoints validate with", () => {
    const doc = openApiDocument() as any;
    for (const route of ROUTES) expect(doc.paths[route.path]?.[route.method], route.path).toBeDefined();
    const batch = doc.paths["/v1/apps/{app}/presence/query"].post.requestBody.content["application/json"].schema;
    expect(batch.properties.accounts).toMatchObject({ type: "array", minItems: 1, maxItems: 500 });
    const events = doc.paths["/v1/apps/{app}/users/{account}/events"].get.parameters;
    expect(events.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual([
      "path:app",
      "path:account",
      "query:limit",
      "query:before",
    ]);
    const callback = doc.paths["/callback"].post.requestBody.content["application/json"].schema;
    expect(callback.required).toEqual(["Info"]);
    expect(callback.properties.KickedDevice.maxItems).toBe(16);
  });

  it("documents the who-is-online endpoints: their query parameters, answers and 409", () => {
    const doc = openApiDocument() as any;
    const users = doc.paths["/v1/apps/{app}/online/users"].get;
    expect(users.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual([
      "path:app",
      "query:status",
      "query:platform",
      "query:limit",
      "query:cursor",
    ]);
    expect(users.parameters[1].schema).toMatchObject({ enum: ["online", "disconnected", "any"], default: "online" });
    const history = doc.paths["/v1/apps/{app}/online/history"].get;
    expect(history.parameters.map((p: { name: string }) => p.name)).toEqual(["app", "from", "to", "resolution"]);
    const counts = doc.paths["/v1/apps/{app}/online"].get.responses["200"].content["application/json"].schema;
    expect(counts.properties.platforms.required).toContain("iOS");
    for (const path of ["/v1/apps/{app}/online", "/v1/apps/{app}/online/users", "/v1/apps/{app}/online/history"]) {
      expect(doc.paths[path].get.responses["409"], path).toBeDefined();
    }
  });

  it("refuses a route listed twice", () => {
    expect(() => openApiDocument([ROUTES[0]!, ROUTES[0]!])).toThrow(/twice/);
  });

  it("is the document the Worker serves (build/assets, made by npm run build)", () => {
    const served = JSON.parse(
      readFileSync(new URL("../../build/assets/openapi.json", import.meta.url).pathname, "utf8"),
    );
    expect(served).toEqual(openApiDocument());
  });
});

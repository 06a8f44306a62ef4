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

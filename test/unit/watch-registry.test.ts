// Who may watch a user: at most 1 000 hubs, at most 100 of them opened with one credential.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_WATCHERS_PER_CREDENTIAL, MAX_WATCHERS_PER_USER, Registry } from "../../src/watch/registry";

const fill = (registry: Registry, credential: string, n: number, prefix = credential) => {
  for (let i = 0; i < n; i++) {
    expect(registry.refusal(credential)).toBeNull();
    registry.add(`${prefix}-${i}`, credential);
  }
};

describe("Registry", () => {
  it("one credential gets its share, and the others still get in", () => {
    const registry = new Registry();
    fill(registry, "token:a", MAX_WATCHERS_PER_CREDENTIAL);
    expect(registry.refusal("token:a")).toMatch(/^this credential already holds 100 of this user's watching/);
    expect(registry.refusal("token:b")).toBeNull();
    expect(registry.refusal("key:k")).toBeNull();
    registry.remove("token:a-0");
    expect(registry.refusal("token:a")).toBeNull(); // a closed connection gives its place back
  });

  it("the user's cap holds whatever the credentials", () => {
    const registry = new Registry();
    for (let c = 0; c < MAX_WATCHERS_PER_USER / MAX_WATCHERS_PER_CREDENTIAL; c++) {
      fill(registry, `token:${c}`, MAX_WATCHERS_PER_CREDENTIAL);
    }
    expect(registry.size).toBe(MAX_WATCHERS_PER_USER);
    expect(registry.refusal("token:new")).toBe("this user already has 1000 watching connections: share a connection");
  });

  it("adding a hub again or removing an unknown one changes nothing; rows load as added", () => {
    const registry = new Registry([
      { hub: "h1", credential: "c" },
      { hub: "h2", credential: "c" },
    ]);
    registry.add("h1", "c");
    expect(registry.size).toBe(2);
    expect(registry.remove("nope")).toBe(false);
    expect(registry.remove("h1")).toBe(true);
    expect(registry.ids()).toEqual(["h2"]);
  });

  it("whatever the joins and leaves, no credential holds more than its share nor the user more than the cap", () => {
    const op = fc.record({
      join: fc.boolean(),
      hub: fc.integer({ min: 0, max: 1500 }),
      credential: fc.integer({ min: 0, max: 12 }),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 3000 }), (ops) => {
        const registry = new Registry();
        const model = new Map<string, string>();
        for (const { join, hub, credential } of ops) {
          const [h, c] = [`h${hub}`, `c${credential}`];
          if (!join) {
            expect(registry.remove(h)).toBe(model.delete(h));
          } else if (!model.has(h) && registry.refusal(c) === null) {
            registry.add(h, c);
            model.set(h, c);
          }
          const held = [...model.values()].filter((x) => x === c).length;
          expect(held).toBeLessThanOrEqual(MAX_WATCHERS_PER_CREDENTIAL);
          expect(registry.size).toBe(model.size);
          expect(model.size).toBeLessThanOrEqual(MAX_WATCHERS_PER_USER);
          // Refused only at a limit.
          if (registry.refusal(c) !== null) {
            expect(held === MAX_WATCHERS_PER_CREDENTIAL || model.size === MAX_WATCHERS_PER_USER).toBe(true);
          }
        }
      }),
      { numRuns: 50 },
    );
  });
});

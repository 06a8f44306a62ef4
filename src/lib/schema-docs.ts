// Documentation attached to zod schemas for openapi.json: a name (emitted once under
// components.schemas) or a description. Kept apart from zod's global registry so that
// nothing here can change how the Worker validates.
import * as z from "zod/mini";

export const docs = z.registry<{ id?: string; description?: string }>();

export function described<T extends z.ZodMiniType>(schema: T, description: string): T {
  docs.add(schema, { description });
  return schema;
}

import { DurableObject } from "cloudflare:workers";
export class UserPresence extends DurableObject {
  ping(): string { return "pong"; }
}
export default {
  async fetch(req: Request, env: Env): Promise<Response> {
    const stub = env.USER_PRESENCE.getByName("x");
    return new Response(await stub.ping());
  },
} satisfies ExportedHandler<Env>;
interface Env { USER_PRESENCE: DurableObjectNamespace<UserPresence> }

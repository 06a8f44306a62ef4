// A webhook subscriber for the browser tests and the screenshots: answers every delivery with the status it is
// told to (410 dead-letters a delivery at once), and records the webhook-ids it received.
import { createServer, type Server } from "node:http";

export interface TestSubscriber {
  readonly url: string;
  status: number;
  readonly received: { id: string; status: number; body: string }[];
  close(): Promise<void>;
}

export async function startSubscriber(port: number, status: number): Promise<TestSubscriber> {
  const state = { status, received: [] as { id: string; status: number; body: string }[] };
  const server: Server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      const answer = state.status;
      state.received.push({ id: String(request.headers["webhook-id"] ?? ""), status: answer, body });
      response.writeHead(answer).end();
    });
  });
  // A port already taken (another run of the browser tests or the screenshots) fails the start
  // at once with its reason; without an error listener it is an uncaught exception, and the
  // caller's await never settles until its hook times out.
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error) =>
      reject(
        new Error(`test subscriber: cannot listen on 127.0.0.1:${port} (${error.message}); is another run using it?`),
      ),
    );
    server.listen(port, "127.0.0.1", resolve);
  });
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    get status() {
      return state.status;
    },
    set status(value: number) {
      state.status = value;
    },
    received: state.received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

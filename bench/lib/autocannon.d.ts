// Minimal types for the parts of autocannon 9 the bench uses (the package ships none).
declare module "autocannon" {
  interface Histogram {
    average: number;
    p50: number;
    p99: number;
    max: number;
  }
  interface Result {
    duration: number;
    non2xx: number;
    errors: number;
    timeouts: number;
    latency: Histogram;
    statusCodeStats?: Record<string, { count: number | string }>;
  }
  interface Instance extends PromiseLike<Result> {
    on(
      event: "response",
      listener: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void,
    ): this;
    /** Ends the run now; the promise then resolves with what was measured. */
    stop(): void;
  }
  interface Options {
    url: string;
    connections?: number;
    pipelining?: number;
    timeout?: number;
    duration?: number;
    amount?: number;
    overallRate?: number;
    requests?: {
      setupRequest?: (req: Record<string, unknown>, context: Record<string, unknown>) => Record<string, unknown>;
    }[];
  }
  function autocannon(opts: Options): Instance;
  export default autocannon;
}

// The command line every npm script shares (scripts/ and bench/): `--help` (or -h) prints the
// usage, options are parsed strictly, and a failure is one line on stderr that says what to do,
// never a stack trace. The parts that decide (parseCommandLine, failureLine) are pure and tested
// in test/node/cli.test.ts; readCommandLine, fail and listenOrFail print and exit.
//
// Runs on Node 24 with type stripping: no enums, no parameter properties, `.ts` imports.
import type { Server } from "node:http";
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";

export interface Command<T extends ParseArgsOptionsConfig> {
  /** What the user types, e.g. "npm run send": it starts every error line. */
  readonly name: string;
  /** What --help prints: the usage line(s) and the options. */
  readonly usage: string;
  readonly options: T;
  /** Whether positional arguments are taken (default: none). */
  readonly positionals?: boolean;
}

type Config<T extends ParseArgsOptionsConfig> = { args: string[]; options: T; allowPositionals: true; strict: true };
type Values<T extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<Config<T>>>["values"];

export type CommandLine<T extends ParseArgsOptionsConfig> =
  | { readonly kind: "help" }
  | { readonly kind: "error"; readonly message: string }
  | { readonly kind: "ok"; readonly values: Values<T>; readonly positionals: string[] };

/**
 * A failure whose message already says what went wrong and what to do: printed as it is. Any
 * other error is printed as its first line (failureLine).
 */
export class CliFailure extends Error {
  override name = "CliFailure";
}

const helpPointer = (name: string) => `${name} -- --help shows the usage`;

/** Node's parse error as one line naming the argument, with where to find the usage. */
function parseErrorLine(name: string, error: Error & { code?: string }): string {
  const quoted = /'([^']+)'/.exec(error.message)?.[1] ?? "";
  const option = quoted.split(" ")[0] ?? quoted;
  switch (error.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown option ${option} (${helpPointer(name)})`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      return /argument missing|ambiguous/.test(error.message)
        ? `${option} needs a value, e.g. ${option} VALUE (${helpPointer(name)})`
        : `${option} takes no value (${helpPointer(name)})`;
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `unexpected argument ${JSON.stringify(quoted)}: this command takes options only (${helpPointer(name)})`;
    default:
      return `${error.message.split("\n")[0]} (${helpPointer(name)})`;
  }
}

/** The command line read without side effects: help asked, a usage error, or the values. */
export function parseCommandLine<T extends ParseArgsOptionsConfig>(
  command: Command<T>,
  argv: readonly string[],
): CommandLine<T> {
  const beforeDashes = argv.indexOf("--") === -1 ? argv : argv.slice(0, argv.indexOf("--"));
  if (beforeDashes.includes("--help") || beforeDashes.includes("-h")) return { kind: "help" };
  try {
    const config: Config<T> = { args: [...argv], options: command.options, allowPositionals: true, strict: true };
    const { values, positionals } = parseArgs(config);
    if (command.positionals !== true && positionals.length > 0) {
      return {
        kind: "error",
        message: `unexpected argument ${JSON.stringify(positionals[0])}: this command takes options only (${helpPointer(command.name)})`,
      };
    }
    return { kind: "ok", values, positionals };
  } catch (error) {
    return { kind: "error", message: parseErrorLine(command.name, error as Error) };
  }
}

/** The first line of what went wrong, without a stack; known network failures in plain words. */
export function failureLine(error: unknown): string {
  if (error instanceof CliFailure) return error.message;
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: { code?: string; address?: string; port?: number } }).cause;
  if (cause?.code === "ECONNREFUSED") return `connection refused at ${cause.address}:${cause.port}`;
  if (error.name === "TimeoutError") return "no answer in time (the request timed out)";
  const code = (error as { code?: string }).code;
  return `${error.message.split("\n")[0]}${code && !error.message.includes(code) ? ` (${code})` : ""}`;
}

/** True when nothing listens where a request went (a service that is not started). */
export function isConnectionRefused(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string; errors?: { code?: string }[] } } | null)?.cause;
  return cause?.code === "ECONNREFUSED" || (cause?.errors?.some((e) => e.code === "ECONNREFUSED") ?? false);
}

type Service = { readonly what: string; readonly url: string; readonly fix: string };

/**
 * A refused connection or a timeout as a CliFailure that names the service, its URL and the fix,
 * e.g. `nothing answers at http://127.0.0.1:8787 (the Worker): start it with npm start, …`;
 * null for any other error.
 */
export function unreachable(service: Service, error: unknown): CliFailure | null {
  if (isConnectionRefused(error)) {
    return new CliFailure(`nothing answers at ${service.url} (${service.what}): ${service.fix}`);
  }
  if ((error as Error | null)?.name === "TimeoutError") {
    return new CliFailure(`${service.what} at ${service.url} did not answer in time: is it stuck? ${service.fix}`);
  }
  return null;
}

/** Awaits a request to a local service; failing to reach it throws `unreachable`'s one line. */
export async function reaching<R>(service: Service, request: Promise<R>): Promise<R> {
  try {
    return await request;
  } catch (error) {
    throw unreachable(service, error) ?? error;
  }
}

let fatalName = "";

/** Prints one line, `<command>: <message>`, and exits (1 by default). */
export function fail(message: string, exitCode = 1): never {
  console.error(fatalName === "" ? message : `${fatalName}: ${message}`);
  process.exit(exitCode);
}

/**
 * From now on an error nobody caught (a rejected top-level await included) is printed as one
 * line and exits 1. DEBUG=1 prints the stack as well, for whoever fixes the script.
 */
export function failOnUncaught(name: string): void {
  fatalName = name;
  const onFatal = (error: unknown) => {
    if (process.env.DEBUG) console.error(error);
    fail(failureLine(error));
  };
  process.on("uncaughtException", onFatal);
  process.on("unhandledRejection", onFatal);
}

/**
 * Reads the command line of a script: prints the usage and exits 0 on --help, prints one line
 * and exits 2 on a usage error, and otherwise returns the values (and installs failOnUncaught).
 */
export function readCommandLine<T extends ParseArgsOptionsConfig>(
  command: Command<T>,
  argv: readonly string[] = process.argv.slice(2),
): { values: Values<T>; positionals: string[] } {
  failOnUncaught(command.name);
  const line = parseCommandLine(command, argv);
  if (line.kind === "help") {
    console.log(command.usage.trimEnd());
    process.exit(0);
  }
  if (line.kind === "error") fail(line.message, 2);
  return { values: line.values, positionals: line.positionals };
}

/** A whole number of at least `min` from an option's text, or a one-line usage error. */
export function intOption(name: string, text: string, min = 0): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isInteger(n) || n < min) {
    fail(`--${name} must be a whole number >= ${min}, got ${JSON.stringify(text)}`, 2);
  }
  return n;
}

/**
 * Listens, or fails with one line: a taken port says `taken` (who may hold it and how to choose
 * another) instead of Node's EADDRINUSE stack. Resolves with the port listened on (for port 0).
 */
export function listenOrFail(server: Server, port: number, host: string, taken: string): Promise<number> {
  return new Promise((resolve) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE") fail(`port ${port} on ${host} is taken: ${taken}`);
      fail(`cannot listen on ${host}:${port}: ${error.message}`);
    });
    server.listen(port, host, () => {
      const address = server.address();
      resolve(typeof address === "object" && address !== null ? address.port : port);
    });
  });
}

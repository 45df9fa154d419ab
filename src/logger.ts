import { hostname } from "node:os";
import { pino } from "pino";
import { currentRequestId } from "./request-id.js";

export type Logger = pino.Logger;

/**
 * Structured JSON logs. Nothing the service logs carries a header, a token or an answer:
 * access logs hold method, path and status; upstream failures their procedure and code
 * (test/operability.test.ts reads every line, at every level, of traffic that carries them).
 * A line written while a request is handled carries its id (`requestId`).
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    // Which process wrote a line: two workers may log one request id each.
    base: { service: "oauth-clients-graph", pid: process.pid, hostname: hostname() },
    mixin: (line) => {
      const requestId = currentRequestId();
      return requestId === undefined || "requestId" in line ? {} : { requestId };
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

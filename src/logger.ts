import { pino } from "pino";

export type Logger = pino.Logger;

/**
 * Structured JSON logs. Nothing the service logs carries a header, a token or an answer:
 * access logs hold method, path and status; upstream failures their procedure and code
 * (test/operability.test.ts reads every line, at every level, of traffic that carries them).
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = { level, base: { service: "oauth-clients-graph" } };
  return destination ? pino(options, destination) : pino(options);
}

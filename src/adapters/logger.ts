/**
 * Structured JSON logs through Powertools for AWS Lambda. Callers pass masked values only; as a
 * second line of defence, fields whose names say "token", "secret", "code" or "verifier" are redacted.
 * Each invocation's Lambda context (request id, cold start, function name, ARN, memory) goes into
 * every line through Powertools' addContext (see withLambdaContext in src/functions/common.ts). The
 * event itself is never logged whole (it holds phone numbers), whatever POWERTOOLS_LOGGER_LOG_EVENT says.
 */
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import type { Logger } from '../ports';

const SENSITIVE = /token|secret|verifier|password|authorization|^code$/i;

function redact(extra?: Record<string, unknown>): Record<string, unknown> | undefined {
  if (!extra) return undefined;
  return Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, SENSITIVE.test(k) ? '[redacted]' : v]));
}

/** The port, plus what a function's entry calls before each invocation. */
export interface LambdaLogger extends Logger {
  /**
   * Stamps the invocation's Lambda context on every line that follows, and redraws the debug sampling
   * (POWERTOOLS_LOGGER_SAMPLE_RATE) per invocation, as Powertools' own injectLambdaContext does.
   */
  startInvocation(context: Context): void;
}

export function createLogger(serviceName: string): LambdaLogger & { raw: PowertoolsLogger } {
  const raw = new PowertoolsLogger({ serviceName });
  return {
    raw,
    startInvocation: (context) => {
      raw.addContext(context);
      raw.refreshSampleRateCalculation();
    },
    debug: (message, extra) => raw.debug(message, redact(extra) ?? {}),
    info: (message, extra) => raw.info(message, redact(extra) ?? {}),
    warn: (message, extra) => raw.warn(message, redact(extra) ?? {}),
    error: (message, extra) => raw.error(message, redact(extra) ?? {}),
  };
}

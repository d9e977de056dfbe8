/**
 * Reads the messages out of an SNS event. A record that is not what we expect is logged and
 * dropped (throwing would make SNS retry something that can never succeed); a real failure while
 * acting on a good record is rethrown so SNS and Lambda retry it, and what still fails lands in the DLQ.
 */
import type { SNSEvent } from 'aws-lambda';
import type * as z from 'zod/mini';
import type { Logger } from '../ports';

export async function forEachSnsMessage<T>(
  event: unknown,
  schema: z.ZodMiniType<T>,
  logger: Logger,
  act: (message: T) => Promise<unknown>,
): Promise<void> {
  const records = (event as Partial<SNSEvent> | undefined)?.Records;
  if (!Array.isArray(records)) {
    logger.warn('dropped an event that is not an SNS event');
    return;
  }
  const failures: unknown[] = [];
  for (const record of records) {
    const raw = (record as { Sns?: { Message?: unknown } } | undefined)?.Sns?.Message;
    let parsed: unknown;
    try {
      parsed = typeof raw === 'string' ? JSON.parse(raw) : undefined;
    } catch {
      parsed = undefined;
    }
    const message = schema.safeParse(parsed);
    if (!message.success) {
      logger.warn('dropped a malformed SNS message', {
        problems: message.error.issues.map((i) => `${i.path.join('.')}: ${i.code}`).slice(0, 5),
        length: typeof raw === 'string' ? raw.length : undefined,
      });
      continue;
    }
    // One bad record must not stop the others; the batch still fails afterwards so it is retried.
    try {
      await act(message.data);
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw new AggregateError(failures, `${failures.length} SNS messages failed`);
}

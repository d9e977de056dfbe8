/** SNS "inbound SMS" (AWS End User Messaging two-way payload) -> the person's command, answered. */
import * as z from 'zod/mini';
import { handleInboundSms, type InboundDeps } from '../usecases/handle-inbound-sms';
import { forEachSnsMessage } from './sns-records';

const e164 = z.string().check(z.regex(/^\+[1-9]\d{6,14}$/));

/** A real SMS is at most 1,600 characters (10 concatenated segments); longer is not from a phone. */
const twoWayPayload = z.object({
  originationNumber: e164,
  destinationNumber: e164,
  messageBody: z.string().check(z.maxLength(1600)),
  inboundMessageId: z.string().check(z.minLength(1), z.maxLength(128)),
});

export function makeInboundSmsHandler(deps: InboundDeps) {
  return async (event: unknown): Promise<void> => {
    await forEachSnsMessage(event, twoWayPayload, deps.logger, async (message) => {
      const outcome = await handleInboundSms(deps, {
        from: message.originationNumber,
        to: message.destinationNumber,
        body: message.messageBody,
        messageId: message.inboundMessageId,
      });
      deps.logger.info('inbound text handled', { outcome });
    });
  };
}

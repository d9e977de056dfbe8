/** SNS "new subscriber" -> per-user topic, SMS subscription, and the "reply YES" text. */
import * as z from 'zod/mini';
import { type ProvisionDeps, provisionTopic } from '../usecases/provision-topic';
import { forEachSnsMessage } from './sns-records';

const newSubscriber = z.object({
  subscriberId: z.string().check(z.minLength(3), z.maxLength(200)),
  signupId: z.string().check(z.minLength(8), z.maxLength(100)),
});

export function makeCreateUserTopicHandler(deps: ProvisionDeps) {
  return async (event: unknown): Promise<void> => {
    await forEachSnsMessage(event, newSubscriber, deps.logger, async (message) => {
      const result = await provisionTopic(deps, message);
      deps.logger.info('new subscriber handled', { result });
    });
  };
}

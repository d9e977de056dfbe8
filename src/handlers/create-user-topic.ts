/** SNS "new subscriber" -> per-user topic, SMS subscription, and the "reply YES" text. */
import { z } from 'zod';
import { type ProvisionDeps, provisionTopic } from '../usecases/provision-topic';
import { forEachSnsMessage } from './sns-records';

const newSubscriber = z.object({
  subscriberId: z.string().min(3).max(200),
  signupId: z.string().min(8).max(100),
});

export function makeCreateUserTopicHandler(deps: ProvisionDeps) {
  return async (event: unknown): Promise<void> => {
    await forEachSnsMessage(event, newSubscriber, deps.logger, async (message) => {
      const result = await provisionTopic(deps, message);
      deps.logger.info('new subscriber handled', { result });
    });
  };
}

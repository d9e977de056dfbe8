/**
 * The Messenger contract for topics (src/ports.ts), run against the SNS adapter on the local SNS and
 * against FakeMessenger: idempotent topics and subscriptions, a deleted topic is gone with its
 * subscriptions, a publish reaches each subscribed phone, the opt-out list. (Direct texts,
 * `sendText`, go through End User Messaging and are not covered here.)
 */
import { TopicNotFoundError } from '../../src/domain/errors';
import type { Messenger } from '../../src/ports';
import { OTHER_PHONE, PHONE } from '../support/fakes';

export type TopicMessenger = Pick<
  Messenger,
  | 'ensureTopic'
  | 'subscribeSms'
  | 'unsubscribe'
  | 'listSubscriptions'
  | 'deleteTopic'
  | 'publish'
  | 'isOptedOut'
  | 'optIn'
>;

export interface MessengerWorld {
  messenger: TopicMessenger;
  /** Puts a number on the account's opt-out list, as a STOP to the carrier does. */
  optOut(phone: string): void;
  /** Every SMS delivered so far, once all deliveries in flight have finished. */
  delivered(): Promise<Array<{ phone: string; text: string }>>;
}

export function describeMessengerContract(name: string, make: () => Promise<MessengerWorld>): void {
  describe(`Messenger contract (topics): ${name}`, () => {
    let world: MessengerWorld;
    let messenger: TopicMessenger;
    beforeEach(async () => {
      world = await make();
      messenger = world.messenger;
    });

    it('makes a topic once: the same name gives the same ARN', async () => {
      const first = await messenger.ensureTopic('u-google-A');
      const again = await messenger.ensureTopic('u-google-A');
      const other = await messenger.ensureTopic('u-google-B');

      expect(again).toBe(first);
      expect(other).not.toBe(first);
    });

    it('subscribes a phone once per topic and lists exactly its subscriptions', async () => {
      const topic = await messenger.ensureTopic('u-google-A');
      const first = await messenger.subscribeSms(topic, PHONE);
      const again = await messenger.subscribeSms(topic, PHONE);
      const other = await messenger.subscribeSms(topic, OTHER_PHONE);

      const listed = await messenger.listSubscriptions(topic);

      expect(again).toBe(first);
      expect(listed.map((s) => [s.subscriptionArn, s.protocol, s.endpoint]).sort()).toEqual(
        [
          [first, 'sms', PHONE],
          [other, 'sms', OTHER_PHONE],
        ].sort(),
      );
    });

    it('unsubscribes, and unsubscribing again is no error', async () => {
      const topic = await messenger.ensureTopic('u-google-A');
      const sub = await messenger.subscribeSms(topic, PHONE);

      await messenger.unsubscribe(sub);
      await messenger.unsubscribe(sub);

      expect(await messenger.listSubscriptions(topic)).toEqual([]);
    });

    it('delivers a publish once to each phone subscribed to the topic, and to no other', async () => {
      const topic = await messenger.ensureTopic('u-google-A');
      const elsewhere = await messenger.ensureTopic('u-google-B');
      await messenger.subscribeSms(topic, PHONE);
      await messenger.subscribeSms(elsewhere, OTHER_PHONE);

      await messenger.publish(topic, 'Charge 6 battery is low (15%).');

      expect(await world.delivered()).toEqual([{ phone: PHONE, text: 'Charge 6 battery is low (15%).' }]);
    });

    it('forgets a deleted topic: publishing, subscribing and listing say TopicNotFound', async () => {
      const topic = await messenger.ensureTopic('u-google-A');
      await messenger.subscribeSms(topic, PHONE);

      await messenger.deleteTopic(topic);

      await expect(messenger.publish(topic, 'hello')).rejects.toBeInstanceOf(TopicNotFoundError);
      await expect(messenger.subscribeSms(topic, PHONE)).rejects.toBeInstanceOf(TopicNotFoundError);
      await expect(messenger.listSubscriptions(topic)).rejects.toBeInstanceOf(TopicNotFoundError);
      expect(await world.delivered()).toEqual([]);
    });

    it('makes a deleted topic again under the same ARN, without its old subscriptions', async () => {
      const topic = await messenger.ensureTopic('u-google-A');
      await messenger.subscribeSms(topic, PHONE);
      await messenger.deleteTopic(topic);

      const again = await messenger.ensureTopic('u-google-A');

      expect(again).toBe(topic);
      expect(await messenger.listSubscriptions(again)).toEqual([]);
    });

    it('tells a number on the opt-out list, and takes it off when asked', async () => {
      world.optOut(PHONE);

      const before = [await messenger.isOptedOut(PHONE), await messenger.isOptedOut(OTHER_PHONE)];
      await messenger.optIn(PHONE);
      await messenger.optIn(OTHER_PHONE);

      expect(before).toEqual([true, false]);
      expect(await messenger.isOptedOut(PHONE)).toBe(false);
      expect(await messenger.isOptedOut(OTHER_PHONE)).toBe(false);
    });
  });
}

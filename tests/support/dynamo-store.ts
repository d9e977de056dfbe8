/**
 * The five DynamoDB adapters over one table, joined into one object so adapter tests can drive the
 * whole table through one handle (the functions themselves each get only the ports they use).
 */
import { dynamoDueSubscribers } from '../../src/adapters/dynamo-due-subscribers';
import { dynamoInboundLedger } from '../../src/adapters/dynamo-inbound-ledger';
import { DynamoPhoneDirectory } from '../../src/adapters/dynamo-phone-directory';
import { dynamoSignupStates } from '../../src/adapters/dynamo-signup-states';
import { dynamoSubscribers } from '../../src/adapters/dynamo-subscribers';
import type { Table } from '../../src/adapters/dynamo-table';
import type { SubscriberStore } from '../../src/ports';

export function dynamoStore(table: Table): SubscriberStore {
  const signups = dynamoSignupStates(table);
  const subscribers = dynamoSubscribers(table);
  const due = dynamoDueSubscribers(table);
  const phones = new DynamoPhoneDirectory(table);
  const inbound = dynamoInboundLedger(table);
  return {
    putSignupState: (signup) => signups.putSignupState(signup),
    consumeSignupState: (state, binding, now) => signups.consumeSignupState(state, binding, now),
    getSubscriber: (id, now) => subscribers.getSubscriber(id, now),
    getSubscribers: (ids, now) => subscribers.getSubscribers(ids, now),
    saveSubscriber: (subscriber) => subscribers.saveSubscriber(subscriber),
    deleteSubscriber: (id) => subscribers.deleteSubscriber(id),
    listDue: (now, options) => due.listDue(now, options),
    getPhone: (phone, now) => phones.getPhone(phone, now),
    savePhone: (record, now) => phones.savePhone(record, now),
    claimInboundMessage: (id, now) => inbound.claimInboundMessage(id, now),
    releaseInboundMessage: (id) => inbound.releaseInboundMessage(id),
  };
}

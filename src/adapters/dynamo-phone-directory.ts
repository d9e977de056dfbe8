/**
 * PhoneDirectory on the subscriber table: one item per phone number (owner, pending sign-up, and
 * the reply and confirmation allowances), changed only by conditional updates. One class is fine
 * here: every function that uses the directory both reads it (GetItem) and updates it (UpdateItem).
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { PhoneDirectory, PhoneRecord } from '../ports';
import { conditionFailed, keys, strip, type Table } from './dynamo-table';

export class DynamoPhoneDirectory implements PhoneDirectory {
  constructor(private readonly table: Table) {}

  async getPhone(phone: string): Promise<PhoneRecord | undefined> {
    const { Item } = await this.table.doc.send(
      new GetCommand({ TableName: this.table.name, Key: { pk: keys.phone(phone) }, ConsistentRead: true }),
    );
    return Item ? strip<PhoneRecord>(Item) : undefined;
  }

  async setPendingSignup(phone: string, subscriberId: string): Promise<void> {
    await this.update(phone, { set: ['pendingId = :id'] }, { ':id': subscriberId });
  }

  async setPhoneOwner(phone: string, subscriberId: string): Promise<void> {
    await this.update(phone, { set: ['ownerId = :id'], remove: ['pendingId'] }, { ':id': subscriberId });
  }

  async releasePhone(phone: string, subscriberId: string): Promise<void> {
    for (const attribute of ['ownerId', 'pendingId']) {
      try {
        await this.update(phone, { remove: [attribute] }, { ':id': subscriberId }, `${attribute} = :id`);
      } catch (error) {
        if (!conditionFailed(error)) throw error;
      }
    }
  }

  async takeReplyAllowance(
    phone: string,
    kind: 'hint' | 'signup',
    now: number,
    windowMs: number,
  ): Promise<boolean> {
    const attribute = kind === 'hint' ? 'lastHintAt' : 'lastSignupReplyAt';
    try {
      await this.update(
        phone,
        { set: [`${attribute} = :now`] },
        { ':now': now, ':since': now - windowMs },
        `attribute_not_exists(${attribute}) OR ${attribute} <= :since`,
      );
      return true;
    } catch (error) {
      if (conditionFailed(error)) return false;
      throw error;
    }
  }

  async takeConfirmationAllowance(phone: string, day: string, max: number): Promise<boolean> {
    try {
      // Same day: count up while under the cap. A new day: start again at one.
      await this.update(
        phone,
        { set: ['confirmationsSent = confirmationsSent + :one'] },
        { ':day': day, ':max': max, ':one': 1 },
        'confirmationsDay = :day AND confirmationsSent < :max',
      );
      return true;
    } catch (error) {
      if (!conditionFailed(error)) throw error;
    }
    try {
      await this.update(
        phone,
        { set: ['confirmationsDay = :day', 'confirmationsSent = :one'] },
        { ':day': day, ':one': 1 },
        'attribute_not_exists(confirmationsDay) OR confirmationsDay <> :day',
      );
      return true;
    } catch (error) {
      if (conditionFailed(error)) return false;
      throw error;
    }
  }

  private async update(
    phone: string,
    changes: { set?: string[]; remove?: string[] },
    values: Record<string, unknown>,
    condition?: string,
  ): Promise<void> {
    const set = [...(changes.set ?? []), 'phone = :phone', 'kind = :kind'];
    const remove = changes.remove?.length ? ` REMOVE ${changes.remove.join(', ')}` : '';
    await this.table.doc.send(
      new UpdateCommand({
        TableName: this.table.name,
        Key: { pk: keys.phone(phone) },
        UpdateExpression: `SET ${set.join(', ')}${remove}`,
        ConditionExpression: condition,
        ExpressionAttributeValues: { ...values, ':phone': phone, ':kind': 'phone' },
      }),
    );
  }
}

/** SignupStates on the subscriber table: single-use, short-lived OAuth sign-up states. */
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SignupState, SignupStates } from '../ports';
import { alive, conditionFailed, keys, strip, type Table } from './dynamo-table';

export class DynamoSignupStates implements SignupStates {
  constructor(private readonly table: Table) {}

  async putSignupState(signup: SignupState): Promise<void> {
    await this.table.doc.send(
      new PutCommand({
        TableName: this.table.name,
        Item: {
          pk: keys.signup(signup.state),
          kind: 'signup',
          ...signup,
          ttl: Math.ceil(signup.expiresAt / 1000),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async consumeSignupState(state: string, now: number): Promise<SignupState | undefined> {
    try {
      const { Attributes } = await this.table.doc.send(
        new DeleteCommand({
          TableName: this.table.name,
          Key: { pk: keys.signup(state) },
          ConditionExpression: 'attribute_exists(pk)',
          ReturnValues: 'ALL_OLD',
        }),
      );
      if (!alive(Attributes, now)) return undefined;
      const signup = strip<SignupState>(Attributes);
      return signup.expiresAt > now ? signup : undefined;
    } catch (error) {
      if (conditionFailed(error)) return undefined;
      throw error;
    }
  }
}

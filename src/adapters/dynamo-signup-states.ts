/**
 * SignupStates on the subscriber table: single-use, short-lived OAuth sign-up states. One function per
 * operation (see dynamo-table.ts): signup only puts, oauthCallback only consumes.
 */
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SignupState, SignupStates } from '../ports';
import { alive, conditionFailed, keys, strip, type Table } from './dynamo-table';

export function putSignupState(table: Table): SignupStates['putSignupState'] {
  return async (signup) => {
    await table.doc.send(
      new PutCommand({
        TableName: table.name,
        Item: {
          pk: keys.signup(signup.state),
          kind: 'signup',
          ...signup,
          ttl: Math.ceil(signup.expiresAt / 1000),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  };
}

export function consumeSignupState(table: Table): SignupStates['consumeSignupState'] {
  return async (state, browserBinding, now) => {
    try {
      // Only the browser the state is bound to spends it: another one's attempt leaves it in place.
      const { Attributes } = await table.doc.send(
        new DeleteCommand({
          TableName: table.name,
          Key: { pk: keys.signup(state) },
          ConditionExpression: 'attribute_exists(pk) AND browserBinding = :binding',
          ExpressionAttributeValues: { ':binding': browserBinding },
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
  };
}

/** The whole port, for code that uses all of it (tests, benchmarks). */
export function dynamoSignupStates(table: Table): SignupStates {
  return { putSignupState: putSignupState(table), consumeSignupState: consumeSignupState(table) };
}

/**
 * SignupStates on the subscriber table: single-use, short-lived OAuth sign-up states. One function per
 * operation (see dynamo-table.ts): signup only puts, oauthCallback only consumes.
 */
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SignupStates } from '../ports';
import { readSignup, signupAttributes } from './dynamo-items';
import { alive, conditionFailed, keys, type Table } from './dynamo-table';

export function putSignupState(table: Table): SignupStates['putSignupState'] {
  return async (signup) => {
    await table.doc.send(
      new PutCommand({
        TableName: table.name,
        Item: { pk: keys.signup(signup.state), kind: 'signup', ...signupAttributes(signup) },
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
      const signup = readSignup(Attributes);
      return signup.expiresAtMs > now ? signup : undefined;
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

/**
 * A secret read from SSM Parameter Store (SecureString) once per container, on first use, and
 * cached; a failed read is not cached, so the next invocation tries again.
 */
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';

export function ssmSecret(ssm: SSMClient, name: string): () => Promise<string> {
  let cached: Promise<string> | undefined;
  return () => {
    cached ??= ssm
      .send(new GetParameterCommand({ Name: name, WithDecryption: true }))
      .then(({ Parameter }) => {
        const value = Parameter?.Value;
        if (!value) throw new Error(`SSM parameter ${name} is empty`);
        return value;
      })
      .catch((error: unknown) => {
        cached = undefined;
        throw error;
      });
    return cached;
  };
}

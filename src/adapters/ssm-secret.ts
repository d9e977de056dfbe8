/**
 * A secret read from SSM Parameter Store (SecureString, decrypted) through the parameters utility of
 * Powertools for AWS Lambda: its cache keeps the value for a set age, so a warm container picks up a
 * rotated secret once the age runs out, and a failed or empty read is not cached (the next call tries
 * again). Callers asking at the same time while nothing is cached share one request.
 */
import { BaseProvider } from '@aws-lambda-powertools/parameters/base';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';

/**
 * Powertools' own SSMProvider also imports the GetParameters, GetParametersByPath and PutParameter
 * commands: they would sit in every bundle that reads the secret, and an exact role
 * (tests/deploy/roles.test.ts) would have to allow them. This provider, on the utility's documented
 * BaseProvider, sends GetParameter and nothing else.
 */
class SecureStringProvider extends BaseProvider {
  constructor(private readonly ssm: SSMClient) {
    super({ awsSdkV3Client: ssm });
  }

  protected async _get(name: string): Promise<string> {
    let value: string | undefined;
    try {
      const output = await this.ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
      value = output.Parameter?.Value;
    } catch (error) {
      // ParameterNotFound may carry no message at all (the local SSM sends none): the names say it.
      const { name: kind, message } =
        error instanceof Error ? error : { name: 'Error', message: String(error) };
      throw new Error(`SSM parameter ${name} could not be read: ${kind}${message ? ` (${message})` : ''}`, {
        cause: error,
      });
    }
    if (!value) throw new Error(`SSM parameter ${name} is empty`);
    return value;
  }

  protected async _getMultiple(): Promise<Record<string, unknown>> {
    throw new Error('SecureStringProvider reads single parameters only');
  }
}

/** Reads the secret; `{ fresh: true }` skips the cache (the caller saw a value that may be rotated). */
export type SecretReader = (options?: { fresh?: boolean }) => Promise<string>;

export function ssmSecret(ssm: SSMClient, name: string, maxAgeSeconds: number): SecretReader {
  const provider = new SecureStringProvider(ssm);
  let reading: Promise<string> | undefined;
  return (options) => {
    if (options?.fresh)
      return provider.get(name, { maxAge: maxAgeSeconds, forceFetch: true }) as Promise<string>;
    reading ??= (provider.get(name, { maxAge: maxAgeSeconds }) as Promise<string>).finally(() => {
      reading = undefined;
    });
    return reading;
  };
}

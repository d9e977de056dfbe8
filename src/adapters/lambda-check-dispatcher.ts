/**
 * Fans check batches out to the checker Lambda (synchronous invoke, so the round can report what
 * happened). Works the same against serverless-offline's Lambda API locally.
 */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { CheckDispatcher, CheckSummary } from '../ports';

export class LambdaCheckDispatcher implements CheckDispatcher {
  constructor(
    private readonly lambda: LambdaClient,
    private readonly functionName: string,
  ) {}

  async check(subscriberIds: string[], force: boolean): Promise<CheckSummary> {
    const response = await this.lambda.send(
      new InvokeCommand({
        FunctionName: this.functionName,
        InvocationType: 'RequestResponse',
        Payload: new TextEncoder().encode(JSON.stringify({ subscriberIds, force })),
      }),
    );
    const text = response.Payload ? new TextDecoder().decode(response.Payload) : '';
    if (response.FunctionError) throw new Error(`checker failed: ${response.FunctionError}`);
    const summary = JSON.parse(text) as Partial<CheckSummary>;
    const count = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) ? n : 0);
    return {
      checked: count(summary.checked),
      texted: count(summary.texted),
      deferred: count(summary.deferred),
      failed: count(summary.failed),
      skipped: count(summary.skipped),
    };
  }
}

/**
 * Fans check batches out to the checker Lambda: synchronously for the dispatcher (so the round can
 * report what happened), asynchronously for early checks (the caller answers at once; Lambda retries
 * a failed check twice, then its on-failure destination keeps it). Works the same against
 * serverless-offline's Lambda API locally.
 */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { CheckDispatcher, CheckQueue, CheckSummary } from '../ports';

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

/** Asynchronous invokes (InvocationType Event): Lambda accepts the batch (202) and runs it soon. */
export class LambdaCheckQueue implements CheckQueue {
  constructor(
    private readonly lambda: LambdaClient,
    private readonly functionName: string,
  ) {}

  async enqueue(subscriberIds: string[]): Promise<void> {
    const response = await this.lambda.send(
      new InvokeCommand({
        FunctionName: this.functionName,
        InvocationType: 'Event',
        Payload: new TextEncoder().encode(JSON.stringify({ subscriberIds })),
      }),
    );
    if (response.StatusCode !== undefined && response.StatusCode !== 202)
      throw new Error(`checker not queued: HTTP ${response.StatusCode}`);
  }
}

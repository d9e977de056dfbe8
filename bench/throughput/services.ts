/**
 * The outside world of the bench, each on its own worker thread of this process: dynalite (with the
 * serverless.yml tables) and the sandbox. In production DynamoDB and Google are other machines; on
 * the main thread they would share one event loop with the checkers and the bench would measure
 * the emulators' CPU as much as the service's.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { ensureTables, startDynamo } from '../../local/dynamo';
import { startSandbox } from '../../local/sandbox';

export type ServiceKind = 'dynamo' | 'sandbox';

export interface ServiceOptions {
  root: string;
  stage: string;
  clientId: string;
  clientSecret: string;
  serviceNumber: string;
}

export interface RunningService {
  /** The dynalite endpoint, or the sandbox base URL. */
  url: string;
  /** DynamoDB only: the tables created. */
  tables: string[];
  close(): Promise<void>;
}

type Started = { url: string; tables: string[] };

/** Starts one service on a worker thread (TypeScript loaded through tsx, as the bench itself is). */
export function startServiceWorker(kind: ServiceKind, options: ServiceOptions): Promise<RunningService> {
  const worker = new Worker(`require('tsx/cjs/api').register(); require(${JSON.stringify(__filename)});`, {
    eval: true,
    workerData: { kind, options },
  });
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (started: Started) => {
      worker.off('error', reject);
      resolve({
        ...started,
        close: async () => {
          await worker.terminate();
        },
      });
    });
  });
}

async function serve(kind: ServiceKind, options: ServiceOptions): Promise<Started> {
  if (kind === 'dynamo') {
    const dynamo = await startDynamo();
    return { url: dynamo.endpoint, tables: await ensureTables(dynamo.endpoint, options.root, options.stage) };
  }
  const sandbox = await startSandbox({
    host: '127.0.0.1',
    port: 0,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    serviceNumber: options.serviceNumber,
    publishInbound: async () => {},
  });
  return { url: sandbox.url, tables: [] };
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  const { kind, options } = workerData as { kind: ServiceKind; options: ServiceOptions };
  serve(kind, options).then(
    (started) => port.postMessage(started),
    (error: unknown) => {
      throw error;
    },
  );
}

/** Worker-thread entry: runs some strategies (see experiment.ts) and reports progress and results. */
import { parentPort, workerData } from 'node:worker_threads';
import { runStrategies, type SimOptions } from './experiment';
import type { StrategyName } from './run';

const { options, names } = workerData as { options: SimOptions; names: StrategyName[] };

runStrategies(options, names, (progress) => parentPort?.postMessage({ type: 'day', progress })).then(
  (outcome) => parentPort?.postMessage({ type: 'done', outcome }),
  (error: unknown) => {
    throw error;
  },
);

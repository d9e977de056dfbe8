/** Entry of the pollBatteries function: the due index, and the checker Lambda to fan out to. */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { dynamoDueSubscribers } from '../adapters/dynamo-due-subscribers';
import { LambdaCheckDispatcher } from '../adapters/lambda-check-dispatcher';
import { loadConfig } from '../config';
import { makePollBatteriesHandler } from '../handlers/poll-batteries';
import { clientOptions, commonDeps, withLambdaContext } from './common';
import { tableOf } from './table';

const config = loadConfig();
const { clock, logger } = commonDeps(config);
// One attempt: a failed batch stays due and the next round picks it up.
const lambda = new LambdaClient({ ...clientOptions(config, config.LAMBDA_ENDPOINT), maxAttempts: 1 });

export const handler = withLambdaContext(
  logger,
  makePollBatteriesHandler(
    {
      dueSubscribers: dynamoDueSubscribers(tableOf(config)),
      dispatcher: new LambdaCheckDispatcher(lambda, config.CHECKER_FUNCTION_NAME),
      clock,
      logger,
      metrics: new Metrics({ namespace: 'FitbitBatterySms', serviceName: config.SERVICE }),
    },
    { batchSize: config.CHECK_BATCH_SIZE, parallelism: config.CHECK_PARALLELISM },
  ),
);

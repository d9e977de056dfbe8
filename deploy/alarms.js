/**
 * CloudWatch alarms, sent to the operator's alarm topic: any message in a dead-letter queue, and
 * each asynchronous or user-facing function's error rate. Generated here so they cannot drift apart.
 */
const DEAD_LETTER_QUEUES = [
  'DeadLetterQueue',
  'NewSubscriberDeliveryDeadLetters',
  'InboundSmsDeliveryDeadLetters',
];
const WATCHED = [
  'oauthCallback',
  'createUserTopic',
  'inboundSms',
  'pollBatteries',
  'checkBatteries',
  'googleHealthWebhook',
];
/** Percent of invocations failing over two 5-minute periods. */
const ERROR_RATE_PERCENT = 5;

function metric(id, name, functionName) {
  return {
    Id: id,
    ReturnData: false,
    MetricStat: {
      Metric: {
        Namespace: 'AWS/Lambda',
        MetricName: name,
        Dimensions: [{ Name: 'FunctionName', Value: functionName }],
      },
      Period: 300,
      Stat: 'Sum',
    },
  };
}

module.exports = async ({ resolveVariable }) => {
  const service = await resolveVariable('self:service');
  const stage = await resolveVariable('sls:stage');
  const Resources = {};
  for (const fn of WATCHED) {
    const functionName = `${service}-${stage}-${fn}`;
    Resources[`${fn[0].toUpperCase()}${fn.slice(1)}ErrorRateAlarm`] = {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmDescription: `${functionName}: more than ${ERROR_RATE_PERCENT}% of invocations failed`,
        Metrics: [
          metric('errors', 'Errors', functionName),
          metric('invocations', 'Invocations', functionName),
          {
            Id: 'rate',
            Expression: '100 * errors / MAX([invocations, 1])',
            Label: 'Error rate (%)',
            ReturnData: true,
          },
        ],
        EvaluationPeriods: 2,
        DatapointsToAlarm: 2,
        Threshold: ERROR_RATE_PERCENT,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: 'AlarmTopic' }],
      },
    };
  }
  for (const queue of DEAD_LETTER_QUEUES) {
    Resources[`${queue}DepthAlarm`] = {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmDescription: `Something failed for good and is waiting in ${queue}`,
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
        Statistic: 'Maximum',
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: 'AlarmTopic' }],
      },
    };
  }
  return { Resources };
};

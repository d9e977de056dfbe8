/**
 * The local stack's packaged template: one `sls package` serves every log level (the sandbox's INFO,
 * the e2e stacks' DEBUG), and each run's level still reaches every function through the template.
 */
import { resolve } from 'node:path';
import { packagedTemplate, templateFunctions } from '../../local/iam/template';
import { deployParams, localConfig } from '../../local/local-config';

const ROOT = resolve(__dirname, '../..');
const world = {
  region: 'us-east-1',
  accountId: '000000000000',
  stackName: 'fitbit-battery-sms-dev',
  apiUrl: 'http://127.0.0.1:3000',
  serviceNumber: '+12025550100',
};

async function logLevels(logLevel: string, packaged: string[]): Promise<Set<string | undefined>> {
  const params = deployParams(localConfig({ LOG_LEVEL: logLevel }));
  const template = await packagedTemplate(ROOT, 'dev', params, (line) => packaged.push(line));
  return new Set(templateFunctions(template, world).map((fn) => fn.environment.POWERTOOLS_LOG_LEVEL));
}

it('packages once for INFO and DEBUG, and gives every function the level of its run', async () => {
  const packaged: string[] = [];

  const info = await logLevels('INFO', packaged);
  const afterFirst = packaged.length;
  const debug = await logLevels('DEBUG', packaged);

  expect(info).toEqual(new Set(['INFO']));
  expect(debug).toEqual(new Set(['DEBUG']));
  // At most the first call packaged (a cold cache); the second read what it left.
  expect(afterFirst).toBeLessThanOrEqual(1);
  expect(packaged).toHaveLength(afterFirst);
}, 240_000);

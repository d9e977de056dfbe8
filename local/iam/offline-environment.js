/**
 * Local-only Serverless plugin: before serverless-offline builds its handlers, replaces every
 * function's environment with the one the local stack prepared from the packaged CloudFormation
 * template (endpoints and credentials swapped for local ones, nothing else). serverless-offline
 * gives a handler the AWS_* variables of its own process, then provider.environment, then the
 * function's environment, so a function-level AWS_ACCESS_KEY_ID wins. Does nothing unless the
 * local stack names its file in LOCAL_FUNCTION_ENVIRONMENT (so `sls package` and deploys are untouched).
 */

const { readFileSync } = require('node:fs');

class LocalFunctionEnvironment {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { 'before:offline:start:init': () => this.apply() };
  }

  apply() {
    const file = process.env.LOCAL_FUNCTION_ENVIRONMENT;
    if (!file) return;
    const environments = JSON.parse(readFileSync(file, 'utf8'));
    const service = this.serverless.service;
    service.provider.environment = {};
    for (const [key, fn] of Object.entries(service.functions ?? {})) {
      const environment = environments[key];
      if (!environment) throw new Error(`the packaged template has no function ${key}`);
      fn.environment = environment;
    }
  }
}

module.exports = LocalFunctionEnvironment;

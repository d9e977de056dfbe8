/**
 * Local Serverless plugin: every function has its own role (serverless-iam-roles-per-function), so
 * the framework's shared IamRoleLambdaExecution is unused; this removes it from the packaged
 * template (an unused role with logs access is still a finding), unless something refers to it.
 */
class DropUnusedRole {
  constructor(serverless) {
    this.hooks = {
      'before:package:finalize': () => {
        const template = serverless.service.provider.compiledCloudFormationTemplate;
        const { IamRoleLambdaExecution, ...others } = template.Resources;
        if (!IamRoleLambdaExecution) return;
        const text = JSON.stringify({ ...template, Resources: others });
        if (!/"IamRoleLambdaExecution"/.test(text)) delete template.Resources.IamRoleLambdaExecution;
      },
    };
  }
}

module.exports = DropUnusedRole;

/**
 * What a function's bundle can send to AWS, read from the bundle itself, and how that compares with
 * its role. Pure functions, shared by `npm run bench:bundle` and tests/deploy/roles.test.ts.
 *
 * The AWS SDK is external to every bundle (the Lambda runtime provides it), so each command a bundle
 * can build stays visible as a property read on the required SDK package, e.g.
 * `o=require("@aws-sdk/lib-dynamodb")` ... `new o.PutCommand(`; minification renames variables, never
 * properties.
 */

export interface SdkCommand {
  /** The SDK package the command comes from, e.g. "@aws-sdk/client-sns". */
  sdkPackage: string;
  /** The command class, e.g. "PublishCommand". */
  command: string;
}

/** The IAM service prefix of each SDK package this project uses; an unknown package is an error. */
const SERVICE_PREFIX: Record<string, string> = {
  '@aws-sdk/client-dynamodb': 'dynamodb',
  '@aws-sdk/lib-dynamodb': 'dynamodb',
  '@aws-sdk/client-sns': 'sns',
  '@aws-sdk/client-ssm': 'ssm',
  '@aws-sdk/client-lambda': 'lambda',
  '@aws-sdk/client-pinpoint-sms-voice-v2': 'sms-voice',
};

/** The document client's commands are named after the item operations they marshal for. */
const DOCUMENT_CLIENT_ACTION: Record<string, string> = {
  GetCommand: 'GetItem',
  PutCommand: 'PutItem',
  UpdateCommand: 'UpdateItem',
  DeleteCommand: 'DeleteItem',
  QueryCommand: 'Query',
  ScanCommand: 'Scan',
  BatchGetCommand: 'BatchGetItem',
  BatchWriteCommand: 'BatchWriteItem',
  TransactGetCommand: 'TransactGetItems',
  TransactWriteCommand: 'TransactWriteItems',
  BatchExecuteStatementCommand: 'PartiQLSelect',
  ExecuteStatementCommand: 'PartiQLSelect',
  ExecuteTransactionCommand: 'PartiQLSelect',
};

/** Commands whose IAM action is not their name. */
const RENAMED_ACTION: Record<string, string> = {
  '@aws-sdk/client-lambda:InvokeCommand': 'InvokeFunction',
  '@aws-sdk/client-lambda:InvokeWithResponseStreamCommand': 'InvokeFunction',
};

/** Every SDK command the bundled code refers to, sorted and without repeats. */
export function commandsInBundle(code: string): SdkCommand[] {
  const found = new Map<string, SdkCommand>();
  // `x=require("@aws-sdk/...")`, possibly wrapped once (esbuild's __toESM helper).
  const binding = /([A-Za-z_$][\w$]*)\s*=\s*(?:[A-Za-z_$][\w$]*\()?require\("(@aws-sdk\/[\w-]+)"\)/g;
  for (const [, variable, sdkPackage] of code.matchAll(binding)) {
    const escaped = (variable as string).replace(/\$/g, '\\$');
    const use = new RegExp(`(?<![\\w$.])${escaped}\\.([A-Z][A-Za-z0-9]*Command)\\b`, 'g');
    for (const [, command] of code.matchAll(use)) {
      found.set(`${sdkPackage}:${command}`, { sdkPackage: sdkPackage as string, command: command as string });
    }
  }
  return [...found.values()].sort((a, b) =>
    `${a.sdkPackage}:${a.command}`.localeCompare(`${b.sdkPackage}:${b.command}`),
  );
}

/** The IAM action a command needs, e.g. lib-dynamodb BatchGetCommand -> "dynamodb:BatchGetItem". */
export function iamActionOf({ sdkPackage, command }: SdkCommand): string {
  const prefix = SERVICE_PREFIX[sdkPackage];
  if (!prefix) throw new Error(`no IAM service known for ${sdkPackage} (add it to SERVICE_PREFIX)`);
  const renamed = RENAMED_ACTION[`${sdkPackage}:${command}`];
  if (renamed) return `${prefix}:${renamed}`;
  if (sdkPackage === '@aws-sdk/lib-dynamodb') {
    const action = DOCUMENT_CLIENT_ACTION[command];
    if (!action) throw new Error(`no DynamoDB action known for lib-dynamodb ${command}`);
    return `${prefix}:${action}`;
  }
  return `${prefix}:${command.replace(/Command$/, '')}`;
}

/** The IAM actions a bundle can need, sorted and without repeats. */
export function actionsOfBundle(code: string): string[] {
  return [...new Set(commandsInBundle(code).map(iamActionOf))].sort();
}

export interface PolicyStatement {
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
}

/** Every action a role's statements allow, as written (sorted, without repeats). */
export function allowedActions(statements: PolicyStatement[]): string[] {
  const allowed = statements
    .filter((s) => s.Effect === 'Allow')
    .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
  return [...new Set(allowed)].sort();
}

/**
 * Compares what a bundle can send with what its role allows. `missing`: sent but not allowed (fails
 * on AWS). `extra`: allowed but never sent (a security finding), except `lambdaUses`, the actions
 * Lambda itself performs with the role (logs, the on-failure destination). A wildcard in the role is
 * never exact, so it counts as extra.
 */
export function compareRole(
  needed: string[],
  allowed: string[],
  lambdaUses: string[] = [],
): { missing: string[]; extra: string[] } {
  const lower = (a: string) => a.toLowerCase();
  const allowedSet = new Set(allowed.map(lower));
  const neededSet = new Set(needed.map(lower));
  const lambdaSet = new Set(lambdaUses.map(lower));
  return {
    missing: needed.filter((a) => !allowedSet.has(lower(a))),
    extra: allowed.filter((a) => !neededSet.has(lower(a)) && !lambdaSet.has(lower(a))),
  };
}

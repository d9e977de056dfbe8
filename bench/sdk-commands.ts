/**
 * What a function's bundle can send to AWS, read from the bundle itself, and how that compares with
 * its role. Pure functions, shared by `npm run bench:bundle` and tests/deploy/roles.test.ts.
 *
 * The AWS SDK is bundled (tree-shaken, minified), so command class names are gone, but the SDK keeps
 * what it puts on the wire as strings: each client's command builder names its client
 * (`B=makeBuilder(params,"AmazonSimpleNotificationService","SNSClient",plugin)`), and each command
 * class the bundle kept names its operation (`class extends B(endpoint,middleware,"Publish",schema)`).
 * Minification renames variables, never strings.
 */

export interface SdkCommand {
  /** The SDK client the command belongs to, e.g. "SNSClient". */
  client: string;
  /** The operation it sends, e.g. "Publish". */
  operation: string;
}

/** The IAM service prefix of each SDK client this project uses; an unknown client is an error. */
const SERVICE_PREFIX: Record<string, string> = {
  DynamoDBClient: 'dynamodb',
  SNSClient: 'sns',
  SSMClient: 'ssm',
  LambdaClient: 'lambda',
  PinpointSMSVoiceV2Client: 'sms-voice',
};

/** Operations whose IAM action is not their name. */
const RENAMED_ACTION: Record<string, string> = {
  'LambdaClient:Invoke': 'InvokeFunction',
};

/**
 * Commands the SDK bundles for itself but never sends as configured here: DynamoDB's client carries
 * DescribeEndpoints for endpoint discovery, which is off unless `endpointDiscoveryEnabled` is set.
 */
const SDK_INTERNAL = new Set(['DynamoDBClient:DescribeEndpoints']);

const ID = '[A-Za-z_$][\\w$]*';

/** Every SDK command the bundled code can send, sorted and without repeats. */
export function commandsInBundle(code: string): SdkCommand[] {
  const clientOf = new Map<string, string>();
  const builder = new RegExp(`(${ID})=${ID}\\(${ID},"\\w+","(\\w+Client)",${ID}\\)`, 'g');
  for (const [, variable, client] of code.matchAll(builder))
    clientOf.set(variable as string, client as string);

  const found = new Map<string, SdkCommand>();
  const command = new RegExp(`class extends (${ID})\\(${ID},${ID},"(\\w+)",${ID}\\)`, 'g');
  for (const [, variable, operation] of code.matchAll(command)) {
    const client = clientOf.get(variable as string);
    // A command whose builder cannot be found means the SDK changed shape: fail rather than miss it.
    if (!client) throw new Error(`SDK command ${operation} is built by ${variable}, which names no client`);
    const key = `${client}:${operation}`;
    if (!SDK_INTERNAL.has(key)) found.set(key, { client, operation: operation as string });
  }
  return [...found.values()].sort((a, b) =>
    `${a.client}:${a.operation}`.localeCompare(`${b.client}:${b.operation}`),
  );
}

/** The IAM action a command needs, e.g. LambdaClient Invoke -> "lambda:InvokeFunction". */
export function iamActionOf({ client, operation }: SdkCommand): string {
  const prefix = SERVICE_PREFIX[client];
  if (!prefix) throw new Error(`no IAM service known for ${client} (add it to SERVICE_PREFIX)`);
  return `${prefix}:${RENAMED_ACTION[`${client}:${operation}`] ?? operation}`;
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

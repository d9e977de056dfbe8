/**
 * The packaged CloudFormation template as the local stack sees it: `sls package` (no AWS
 * credentials needed) cached by a hash of what shapes the template, and CloudFormation intrinsics
 * (Ref, GetAtt, Join, Sub, If, Select, Split, conditions, pseudo parameters) resolved to the local
 * stack's ARNs and URLs. Each function's environment and role come from here, so a value that would
 * be empty or wrong on AWS is empty or wrong locally too.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation values are free-form JSON.
type Json = any;

export interface CfnTemplate {
  Conditions?: Record<string, Json>;
  Resources: Record<string, { Type: string; Properties?: Json; Condition?: string }>;
}

/** What the local stack answers for the things only AWS knows (attributes of created resources). */
export interface LocalWorld {
  region: string;
  accountId: string;
  stackName: string;
  /** GetAtt HttpApi.ApiEndpoint */
  apiUrl: string;
  /** GetAtt of an AWS::SMSVOICE::PhoneNumber: its number */
  serviceNumber: string;
}

/**
 * Files whose content decides the template: serverless.yml, deploy/, and the lock file (plugin
 * versions shape roles and names). Never src/: code does not change the environment.
 */
function templateInputs(root: string): string[] {
  const files = [join(root, 'serverless.yml'), join(root, 'package-lock.json')].filter((f) => existsSync(f));
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk(join(root, 'deploy'));
  return files;
}

export function templateKey(root: string, stage: string, params: Record<string, string>): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ stage, params }));
  for (const file of templateInputs(root)) {
    hash.update(relative(root, file));
    hash.update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * Params that only fill in a value (an environment variable) and shape nothing else: packaged once
 * with a marker in their place, and the marker replaced by each run's value when the template is
 * read, as CloudFormation fills in a parameter. So the sandbox's keyword tests (INFO) and the e2e
 * stacks (DEBUG) share one packaging, and each function still gets the template's own environment.
 */
const FILLED_IN_PARAMS = ['logLevel'];

const marker = (param: string) => `local-param-${param}-marker`;

/** Every string in the template with each filled-in param's marker replaced by its value. */
function fillIn(template: CfnTemplate, params: Record<string, string>): CfnTemplate {
  let text = JSON.stringify(template);
  for (const param of FILLED_IN_PARAMS) {
    const value = params[param];
    if (value !== undefined) text = text.replaceAll(marker(param), value);
  }
  return JSON.parse(text) as CfnTemplate;
}

/**
 * `sls package` once per distinct serverless.yml + deploy/ + params (the filled-in ones aside);
 * later starts read the cached template. Packaged into a temporary folder and renamed, so a
 * half-written cache is never read.
 */
export async function packagedTemplate(
  root: string,
  stage: string,
  runParams: Record<string, string>,
  log: (line: string) => void = () => {},
): Promise<CfnTemplate> {
  const params = { ...runParams };
  for (const param of FILLED_IN_PARAMS) if (param in params) params[param] = marker(param);
  const cacheRoot = join(root, '.local-cache', 'templates');
  const dir = join(cacheRoot, templateKey(root, stage, params));
  const file = join(dir, 'cloudformation-template-update-stack.json');
  if (!existsSync(file)) {
    mkdirSync(cacheRoot, { recursive: true });
    const tmp = mkdtempSync(join(cacheRoot, 'tmp-'));
    log(`[iam] packaging the ${stage} template (sls package), cached under ${relative(root, dir)}`);
    try {
      await promisify(execFile)(
        process.execPath,
        [
          join(root, 'node_modules/osls/bin/serverless.js'),
          'package',
          '--stage',
          stage,
          '--package',
          tmp,
          ...Object.entries(params).map(([k, v]) => `--param=${k}=${v}`),
        ],
        // No credentials: packaging must not need them, and must never pick up a developer's.
        {
          cwd: root,
          env: { PATH: process.env.PATH, HOME: process.env.HOME, SLS_TELEMETRY_DISABLED: '1' },
          maxBuffer: 16 * 1024 * 1024,
        },
      );
      // Only the template is kept: the zips are rebuilt by serverless-offline from the sources.
      const keep = mkdtempSync(join(cacheRoot, 'tmp-'));
      renameSync(
        join(tmp, 'cloudformation-template-update-stack.json'),
        join(keep, 'cloudformation-template-update-stack.json'),
      );
      if (!existsSync(file)) renameSync(keep, dir);
      else rmSync(keep, { recursive: true, force: true });
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  return fillIn(JSON.parse(readFileSync(file, 'utf8')) as CfnTemplate, runParams);
}

export class TemplateError extends Error {}

/** Resolves intrinsics in `value` against the template and the local world. */
export function resolveIntrinsics(template: CfnTemplate, world: LocalWorld, value: Json): Json {
  const conditions = new Map<string, boolean>();
  const condition = (name: string): boolean => {
    const known = conditions.get(name);
    if (known !== undefined) return known;
    const expr = template.Conditions?.[name];
    if (expr === undefined) throw new TemplateError(`unknown condition ${name}`);
    const result = Boolean(resolve(expr));
    conditions.set(name, result);
    return result;
  };
  const pseudo: Record<string, string> = {
    'AWS::Region': world.region,
    'AWS::AccountId': world.accountId,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': world.stackName,
  };
  const ref = (name: string): string => {
    const p = pseudo[name];
    if (p !== undefined) return p;
    const resource = template.Resources[name];
    if (!resource) throw new TemplateError(`Ref to unknown resource ${name}`);
    const props = resource.Properties ?? {};
    switch (resource.Type) {
      case 'AWS::SNS::Topic':
        return `arn:aws:sns:${world.region}:${world.accountId}:${resolve(props.TopicName ?? name)}`;
      case 'AWS::Lambda::Function':
      case 'AWS::DynamoDB::Table':
      case 'AWS::IAM::Role':
        return resolve(props.FunctionName ?? props.TableName ?? props.RoleName ?? name);
      case 'AWS::SMSVOICE::ProtectConfiguration':
        return localProtectConfigurationId(name);
      case 'AWS::SQS::Queue':
        return `https://sqs.${world.region}.amazonaws.com/${world.accountId}/${resolve(props.QueueName ?? name)}`;
      default:
        return name;
    }
  };
  const getAtt = (name: string, attribute: string): string => {
    const resource = template.Resources[name];
    if (!resource) throw new TemplateError(`GetAtt of unknown resource ${name}`);
    const props = resource.Properties ?? {};
    const key = `${resource.Type}.${attribute}`;
    switch (key) {
      case 'AWS::ApiGatewayV2::Api.ApiEndpoint':
        return world.apiUrl;
      case 'AWS::SMSVOICE::PhoneNumber.PhoneNumber':
        return world.serviceNumber;
      case 'AWS::SMSVOICE::PhoneNumber.Arn':
        return localPhoneNumberArn(world);
      case 'AWS::SMSVOICE::ProtectConfiguration.ProtectConfigurationId':
        return localProtectConfigurationId(name);
      case 'AWS::SMSVOICE::ProtectConfiguration.Arn':
        return `arn:aws:sms-voice:${world.region}:${world.accountId}:protect-configuration/${localProtectConfigurationId(name)}`;
      case 'AWS::DynamoDB::Table.Arn':
        return `arn:aws:dynamodb:${world.region}:${world.accountId}:table/${resolve(props.TableName ?? name)}`;
      case 'AWS::IAM::Role.Arn':
        return `arn:aws:iam::${world.accountId}:role/${resolve(props.RoleName ?? name)}`;
      case 'AWS::SQS::Queue.Arn':
        return `arn:aws:sqs:${world.region}:${world.accountId}:${resolve(props.QueueName ?? name)}`;
      case 'AWS::SNS::Topic.TopicArn':
        return ref(name);
      case 'AWS::Lambda::Function.Arn':
        return `arn:aws:lambda:${world.region}:${world.accountId}:function:${ref(name)}`;
      default:
        throw new TemplateError(
          `the local stack does not know GetAtt ${name}.${attribute} (${resource.Type})`,
        );
    }
  };
  const sub = (text: string, vars: Record<string, Json>): string =>
    text.replace(/\$\{([^}!]+)\}/g, (_, expr: string) => {
      if (expr in vars) return String(resolve(vars[expr]));
      const [name, attribute] = expr.split('.');
      return attribute ? getAtt(name as string, attribute) : ref(expr);
    });
  function resolve(v: Json): Json {
    if (Array.isArray(v)) return v.map(resolve);
    if (v === null || typeof v !== 'object') return v;
    const keys = Object.keys(v);
    if (keys.length === 1) {
      const [k] = keys as [string];
      const arg = v[k];
      switch (k) {
        case 'Ref':
          return ref(arg);
        case 'Fn::GetAtt': {
          const [name, attribute] = Array.isArray(arg) ? arg : String(arg).split('.');
          return getAtt(name, attribute);
        }
        case 'Fn::Join':
          return (resolve(arg[1]) as Json[]).map(String).join(arg[0]);
        case 'Fn::Sub':
          return Array.isArray(arg) ? sub(arg[0], arg[1] ?? {}) : sub(arg, {});
        case 'Fn::If':
          return resolve(condition(arg[0]) ? arg[1] : arg[2]);
        case 'Fn::Select':
          return (resolve(arg[1]) as Json[])[Number(resolve(arg[0]))];
        case 'Fn::Split':
          return String(resolve(arg[1])).split(arg[0]);
        case 'Fn::Equals':
          return JSON.stringify(resolve(arg[0])) === JSON.stringify(resolve(arg[1]));
        case 'Fn::Not':
          return !resolve(arg[0]);
        case 'Fn::And':
          return (arg as Json[]).every((a) => Boolean(resolve(a)));
        case 'Fn::Or':
          return (arg as Json[]).some((a) => Boolean(resolve(a)));
        case 'Condition':
          return condition(arg);
        default:
          if (k.startsWith('Fn::')) throw new TemplateError(`the local stack does not resolve ${k}`);
      }
    }
    return Object.fromEntries(Object.entries(v).map(([key, val]) => [key, resolve(val)]));
  }
  return resolve(value);
}

/**
 * The id a protect configuration gets locally (AWS makes `protect-<hex>`): derived from its logical
 * id, so the sandbox, reading the same template, knows the id the functions will name.
 */
export function localProtectConfigurationId(logicalId: string): string {
  return `protect-${logicalId.toLowerCase()}`;
}

export function localPhoneNumberArn(world: Pick<LocalWorld, 'region' | 'accountId'>): string {
  return `arn:aws:sms-voice:${world.region}:${world.accountId}:phone-number/phone-local`;
}

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: Json;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Json;
}

export interface PolicyDocument {
  Version: string;
  Statement: PolicyStatement[];
}

export interface TemplateFunction {
  /** serverless.yml's key, e.g. `oauthCallback` */
  key: string;
  /** Lambda function name, e.g. `fitbit-battery-sms-dev-oauthCallback` */
  name: string;
  arn: string;
  roleArn: string;
  /** The role's inline policies, intrinsics resolved. */
  policies: { name: string; policy: PolicyDocument }[];
  /** Environment.Variables, intrinsics resolved. */
  environment: Record<string, string>;
}

/** Every Lambda function of the template with its role and environment, resolved for `world`. */
export function templateFunctions(template: CfnTemplate, world: LocalWorld): TemplateFunction[] {
  const resolve = (v: Json) => resolveIntrinsics(template, world, v);
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
    .map(([logicalId, r]) => {
      const props = r.Properties ?? {};
      const roleId = props.Role?.['Fn::GetAtt']?.[0] as string | undefined;
      const role = roleId ? template.Resources[roleId] : undefined;
      if (!roleId || !role) throw new TemplateError(`${logicalId} has no role of its own in the template`);
      const name = String(resolve(props.FunctionName));
      const environment = resolve(props.Environment?.Variables ?? {}) as Record<string, Json>;
      return {
        key: logicalId.replace(/LambdaFunction$/, '').replace(/^./, (c) => c.toLowerCase()),
        name,
        arn: `arn:aws:lambda:${world.region}:${world.accountId}:function:${name}`,
        roleArn: String(resolve({ 'Fn::GetAtt': [roleId, 'Arn'] })),
        policies: ((role.Properties?.Policies ?? []) as Json[]).map((p, i) => ({
          name: `${roleId}-${i}`,
          policy: resolve(p.PolicyDocument) as PolicyDocument,
        })),
        environment: Object.fromEntries(Object.entries(environment).map(([k, v]) => [k, String(v)])),
      };
    });
}

/** Resource policies of SNS topics: topic ARN -> policy. */
export function topicPolicies(template: CfnTemplate, world: LocalWorld): Map<string, PolicyDocument> {
  const out = new Map<string, PolicyDocument>();
  for (const r of Object.values(template.Resources)) {
    if (r.Type !== 'AWS::SNS::TopicPolicy') continue;
    const props = resolveIntrinsics(template, world, r.Properties) as {
      Topics: string[];
      PolicyDocument: PolicyDocument;
    };
    for (const topic of props.Topics) out.set(topic, props.PolicyDocument);
  }
  return out;
}

/** Roles that are not a function's but that a service assumes (End User Messaging's publisher role). */
export function serviceRoles(
  template: CfnTemplate,
  world: LocalWorld,
): { service: string; roleArn: string; policies: { name: string; policy: PolicyDocument }[] }[] {
  const out = [];
  for (const [logicalId, r] of Object.entries(template.Resources)) {
    if (r.Type !== 'AWS::IAM::Role') continue;
    const props = r.Properties ?? {};
    const trust = (props.AssumeRolePolicyDocument?.Statement ?? []) as PolicyStatement[];
    const service = trust
      .flatMap((s) => [s.Principal?.Service ?? []].flat())
      .find((s: string) => s !== 'lambda.amazonaws.com');
    if (!service) continue;
    const resolved = resolveIntrinsics(template, world, props) as Json;
    out.push({
      service: service as string,
      roleArn: String(resolveIntrinsics(template, world, { 'Fn::GetAtt': [logicalId, 'Arn'] })),
      policies: ((resolved.Policies ?? []) as Json[]).map((p, i) => ({
        name: `${logicalId}-${i}`,
        policy: p.PolicyDocument as PolicyDocument,
      })),
    });
  }
  return out;
}

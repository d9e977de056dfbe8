/**
 * Reads what the local stack needs from serverless.yml (the table definition, which functions listen
 * on which SNS topics) and from the packaged template (how the phone number answers keywords, which
 * countries the SMS protect configuration blocks), so local tooling never keeps its own copy of any
 * of them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { localProtectConfigurationId } from './iam/template';

type Yaml = Record<string, unknown>;

function load(root: string): Yaml {
  return parse(readFileSync(join(root, 'serverless.yml'), 'utf8'), { customTags: [], strict: false }) as Yaml;
}

/** Resolves the few variable forms used in names: ${self:service}, ${sls:stage}, ${self:custom.x}. */
function resolver(doc: Yaml, stage: string): (value: string) => string {
  const custom = (doc.custom ?? {}) as Record<string, unknown>;
  const resolve = (value: string, depth = 0): string => {
    if (depth > 5) throw new Error(`serverless.yml: variables nest too deep in "${value}"`);
    return value.replace(/\$\{([^}]+)\}/g, (_, expr: string) => {
      if (expr === 'self:service') return String(doc.service);
      if (expr === 'sls:stage' || expr.startsWith('opt:stage')) return stage;
      const customKey = /^self:custom\.(.+)$/.exec(expr)?.[1];
      if (customKey !== undefined && typeof custom[customKey] === 'string') {
        return resolve(custom[customKey] as string, depth + 1);
      }
      throw new Error(`serverless.yml: local stack cannot resolve \${${expr}}`);
    });
  };
  return resolve;
}

/** The template's CloudFormation resources by logical id. */
function templateResources(doc: Yaml): Record<string, { Type: string; Properties: Yaml }> {
  // `resources` is an object, or a list of them (and of ${file(...)} includes, which hold no tables).
  const blocks = (Array.isArray(doc.resources) ? doc.resources : [doc.resources]).filter(
    (b): b is Yaml => typeof b === 'object' && b !== null,
  );
  return Object.assign({}, ...blocks.map((b) => (b.Resources ?? {}) as object));
}

export interface TableDefinition {
  TableName: string;
  AttributeDefinitions: { AttributeName: string; AttributeType: string }[];
  KeySchema: { AttributeName: string; KeyType: string }[];
  GlobalSecondaryIndexes?: unknown[];
  BillingMode?: string;
}

export function tableDefinitions(root: string, stage: string): TableDefinition[] {
  const doc = load(root);
  const resolve = resolver(doc, stage);
  return Object.values(templateResources(doc))
    .filter((r) => r.Type === 'AWS::DynamoDB::Table')
    .map(({ Properties: p }) => ({
      TableName: resolve(String(p.TableName)),
      AttributeDefinitions: p.AttributeDefinitions as TableDefinition['AttributeDefinitions'],
      KeySchema: p.KeySchema as TableDefinition['KeySchema'],
      BillingMode: 'PAY_PER_REQUEST',
      ...(p.GlobalSecondaryIndexes ? { GlobalSecondaryIndexes: p.GlobalSecondaryIndexes as unknown[] } : {}),
    }));
}

/** topic name -> full names of the functions its `sns` events subscribe. */
export function snsSubscriptions(root: string, stage: string): Record<string, string[]> {
  const doc = load(root);
  const resolve = resolver(doc, stage);
  const out: Record<string, string[]> = {};
  const functions = (doc.functions ?? {}) as Record<string, { events?: Yaml[] }>;
  for (const [name, fn] of Object.entries(functions)) {
    for (const event of fn.events ?? []) {
      const sns = event.sns as Yaml | string | undefined;
      const topic = typeof sns === 'string' ? sns : (sns?.topicName as string | undefined);
      if (!topic) continue;
      const topicName = resolve(topic);
      out[topicName] = [...(out[topicName] ?? []), `${doc.service}-${stage}-${name}`];
    }
  }
  return out;
}

/**
 * How the service's number answers keywords, as the template configures it (the
 * `AWS::SMSVOICE::PhoneNumber` resource and the params it uses), so the sandbox phone network plays
 * AWS from the same texts a deploy would use.
 */
export interface SmsKeywordSettings {
  /** TOLL_FREE, TEN_DLC, LONG_CODE, SIMULATOR, ... */
  numberType: string;
  country: string;
  /** true: the service answers STOP/HELP itself and AWS forwards them untouched. */
  selfManagedOptOuts: boolean;
  /** keyword (upper case) -> the message AWS answers it with. */
  keywordMessages: Record<string, string>;
}

/** The least a packaged CloudFormation template must offer to be read here. */
export interface TemplateResources {
  Resources?: Record<string, { Type?: string; Properties?: Record<string, unknown> }>;
}

/**
 * Reads the keyword settings from the packaged template's `AWS::SMSVOICE::PhoneNumber` (the number
 * the stack requests). A stack that uses an existing number by ARN configures it outside the template
 * (README: Deploy): AWS then answers with that number's own texts, which the local stack cannot know,
 * so it plays a toll-free number with AWS-managed opt-outs and no configured texts.
 */
export function smsKeywordSettings(template: TemplateResources): SmsKeywordSettings {
  const number = Object.values(template.Resources ?? {}).find((r) => r.Type === 'AWS::SMSVOICE::PhoneNumber');
  const props = number?.Properties ?? {};
  const keywordMessages: Record<string, string> = {};
  const mandatory = (props.MandatoryKeywords ?? {}) as Record<string, { Message?: unknown }>;
  for (const [word, { Message }] of Object.entries(mandatory)) {
    if (typeof Message === 'string') keywordMessages[word.toUpperCase()] = Message;
  }
  const optional = (props.OptionalKeywords ?? []) as Array<{ Keyword?: unknown; Message?: unknown }>;
  for (const { Keyword, Message } of optional) {
    if (typeof Keyword === 'string' && typeof Message === 'string')
      keywordMessages[Keyword.toUpperCase()] = Message;
  }
  return {
    numberType: typeof props.NumberType === 'string' ? props.NumberType : 'TOLL_FREE',
    country: typeof props.IsoCountryCode === 'string' ? props.IsoCountryCode : 'US',
    selfManagedOptOuts: props.SelfManagedOptOutsEnabled === true,
    keywordMessages,
  };
}

/** A protect configuration's SMS country rules: ISO code -> ALLOW | BLOCK | MONITOR | FILTER. */
export type SmsCountryRules = Record<string, string>;

/**
 * The template's `AWS::SMSVOICE::ProtectConfiguration` resources, by the id the local stack gives
 * each (the id the functions' environment names), with their SMS country rules. A country without a
 * rule is allowed, as AWS does.
 */
export function smsProtectConfigurations(template: TemplateResources): Record<string, SmsCountryRules> {
  const out: Record<string, SmsCountryRules> = {};
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    if (resource.Type !== 'AWS::SMSVOICE::ProtectConfiguration') continue;
    const ruleSet = (resource.Properties?.CountryRuleSet ?? {}) as { SMS?: unknown };
    const rules: SmsCountryRules = {};
    for (const rule of Array.isArray(ruleSet.SMS) ? ruleSet.SMS : []) {
      const { CountryCode, ProtectStatus } = (rule ?? {}) as {
        CountryCode?: unknown;
        ProtectStatus?: unknown;
      };
      if (typeof CountryCode === 'string' && typeof ProtectStatus === 'string')
        rules[CountryCode] = ProtectStatus;
    }
    out[localProtectConfigurationId(logicalId)] = rules;
  }
  return out;
}

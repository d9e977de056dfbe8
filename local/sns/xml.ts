/**
 * The AWS Query protocol's wire format for SNS: flattened form parameters in, namespaced XML out.
 * The shapes follow what SNS itself sends so @aws-sdk/client-sns parses them unchanged.
 */
import { randomUUID } from 'node:crypto';

const NS = 'http://sns.amazonaws.com/doc/2010-03-31/';

export function xmlEscape(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** A tiny XML tree: strings are escaped text, arrays are concatenated children. */
export type XmlNode = string | XmlNode[] | { [tag: string]: XmlNode };

export function toXml(node: XmlNode): string {
  if (typeof node === 'string') return xmlEscape(node);
  if (Array.isArray(node)) return node.map(toXml).join('');
  return Object.entries(node)
    .map(([tag, child]) => `<${tag}>${toXml(child)}</${tag}>`)
    .join('');
}

export function members(items: XmlNode[]): XmlNode {
  return items.map((item) => ({ member: item }));
}

export function entries(map: Record<string, string>): XmlNode {
  return Object.entries(map).map(([key, value]) => ({ entry: { key, value } }));
}

export function successXml(action: string, result: XmlNode | undefined): string {
  const resultXml = result === undefined ? '' : `<${action}Result>${toXml(result)}</${action}Result>`;
  return (
    `<${action}Response xmlns="${NS}">${resultXml}` +
    `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`
  );
}

export function errorXml(type: 'Sender' | 'Receiver', code: string, message: string): string {
  return (
    `<ErrorResponse xmlns="${NS}"><Error><Type>${type}</Type><Code>${xmlEscape(code)}</Code>` +
    `<Message>${xmlEscape(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`
  );
}

/** Reads `Prefix.entry.N.<key>` / `Prefix.entry.N.<value>` maps (CreateTopic Attributes and similar). */
export function readEntryMap(form: URLSearchParams, prefix: string, keyName: string, valueName: string) {
  const out: Record<string, string> = {};
  for (let i = 1; ; i++) {
    const key = form.get(`${prefix}.entry.${i}.${keyName}`);
    if (key === null) break;
    out[key] = form.get(`${prefix}.entry.${i}.${valueName}`) ?? '';
  }
  return out;
}

export interface MessageAttribute {
  Type: string;
  Value: string;
}

/** Reads Publish's `MessageAttributes.entry.N.{Name,Value.DataType,Value.StringValue|BinaryValue}`. */
export function readMessageAttributes(form: URLSearchParams): Record<string, MessageAttribute> {
  const out: Record<string, MessageAttribute> = {};
  for (let i = 1; ; i++) {
    const base = `MessageAttributes.entry.${i}`;
    const name = form.get(`${base}.Name`);
    if (name === null) break;
    out[name] = {
      Type: form.get(`${base}.Value.DataType`) ?? 'String',
      Value: form.get(`${base}.Value.StringValue`) ?? form.get(`${base}.Value.BinaryValue`) ?? '',
    };
  }
  return out;
}

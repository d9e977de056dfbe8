/**
 * What the local SNS keeps across restarts, as an AWS account keeps it: topics, subscriptions and the
 * SMS opt-out list, in one JSON file under the stack's data folder. Written on every change (they are
 * rare), through a temporary file so a crash mid-write never leaves half a file.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface Topic {
  name: string;
  arn: string;
  attributes: Record<string, string>;
}

export interface Subscription {
  arn: string;
  topicArn: string;
  protocol: 'sms' | 'lambda';
  endpoint: string;
}

export interface SnsData {
  topics: Topic[];
  subscriptions: Subscription[];
  /** number -> ISO time it opted out */
  optedOut: Record<string, string>;
}

/** Reads the saved state; a file that cannot be read is set aside (never deleted) and the SNS starts empty. */
export function loadSnsData(file: string | undefined, log: (line: string) => void): SnsData {
  const empty: SnsData = { topics: [], subscriptions: [], optedOut: {} };
  if (!file || !existsSync(file)) return empty;
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as Partial<SnsData>;
    if (!Array.isArray(data.topics) || !Array.isArray(data.subscriptions))
      throw new Error('unexpected shape');
    return { topics: data.topics, subscriptions: data.subscriptions, optedOut: data.optedOut ?? {} };
  } catch (error) {
    const aside = `${file}.unreadable-${Date.now()}`;
    renameSync(file, aside);
    log(`[sns] ${file} could not be read (${(error as Error).message}); kept as ${aside}, starting empty`);
    return empty;
  }
}

export function saveSnsData(file: string, data: SnsData): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(data, null, 2));
  renameSync(tmp, file);
}

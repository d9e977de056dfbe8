/**
 * What AWS End User Messaging SMS and the carriers do by themselves when a phone texts a keyword to
 * the service's number, so the sandbox phone shows what a real phone would. The texts come from the
 * template (local/serverless-config.ts); only the carriers' own fixed reply is written here.
 *
 * - With self-managed opt-outs off, AWS answers HELP and the opt-out words with the number's configured
 *   messages and puts the sender on the opt-out list (the required words: ARRET, CANCEL, END, OPT-OUT,
 *   OPTOUT, QUIT, REMOVE, STOP, TD, UNSUBSCRIBE).
 * - A US toll-free number is different: the carriers manage opt-outs, STOP is the only opt-out word,
 *   and the reply is the carriers' own text, which no configuration changes. START or UNSTOP undo it.
 * - With self-managed opt-outs on, nothing answers: the service must.
 * Either way the text itself still reaches the service (two-way SMS).
 */
import type { SmsKeywordSettings } from '../serverless-config';

export const OPT_OUT_WORDS = [
  'ARRET',
  'CANCEL',
  'END',
  'OPT-OUT',
  'OPTOUT',
  'QUIT',
  'REMOVE',
  'STOP',
  'TD',
  'UNSUBSCRIBE',
];
export const OPT_IN_WORDS = ['START', 'UNSTOP'];

/** The US carriers' answer to STOP sent to a toll-free number. */
export const TOLL_FREE_STOP_REPLY =
  'NETWORK MSG: You replied with the word "stop" which blocks all texts sent from this number. Text back "unstop" to receive messages again.';

export interface KeywordAnswer {
  /** true: onto the opt-out list; false: off it; absent: unchanged. */
  optOut?: boolean;
  /** What the network texts back by itself, if anything. */
  reply?: string;
}

/** The keyword a whole text amounts to: trimmed, without closing punctuation, in capitals. */
export function keywordOf(body: string): string {
  return body
    .trim()
    .replace(/[.!]+$/, '')
    .toUpperCase();
}

export function answerKeyword(settings: SmsKeywordSettings, body: string): KeywordAnswer {
  if (settings.selfManagedOptOuts) return {};
  const word = keywordOf(body);
  const tollFreeUs = settings.numberType === 'TOLL_FREE' && settings.country === 'US';
  const optOutWords = tollFreeUs ? ['STOP'] : OPT_OUT_WORDS;
  if (optOutWords.includes(word)) {
    return { optOut: true, reply: tollFreeUs ? TOLL_FREE_STOP_REPLY : settings.keywordMessages.STOP };
  }
  if (OPT_IN_WORDS.includes(word)) return { optOut: false };
  if (word === 'HELP') return { reply: settings.keywordMessages.HELP };
  return {};
}

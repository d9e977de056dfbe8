/**
 * Scoring against ground truth. Low episodes, deaths and visibility come from the traces alone;
 * texts come from what the messenger saw published to each subscriber's topic. The code under test
 * is not consulted for any of it: the definitions of "low" and "charged" are restated here from the
 * issue (status Low/Empty or level <= threshold; charged = level >= threshold + 10, or status
 * Medium/High for status-only devices).
 */
import type { Published } from './emulator';
import { lastAtOrBefore } from './emulator';
import type { StrategyRun } from './run';
import { THRESHOLD, topicArnFor } from './run';
import { type DeviceTrace, type SubscriberTrace, statusForLevel } from './traces';
import { HOUR, MINUTE, type ZoneClock, type ZoneClocks } from './zones';

const CHARGED_LEVEL = THRESHOLD + 10;
/** A low reading visible this long before the device died (outside quiet hours) must have been texted. */
const MISSED_AFTER_MS = 2 * HOUR;

export type TextKind = 'low' | 'empty' | 'stale';

export interface Episode {
  sub: number;
  device: number;
  /** When the first low reading of the episode was synced (became visible at the provider). */
  start: number;
  /** When a charged reading became visible (Infinity: still open). */
  end: number;
  /** First instant the battery reached 0 % during the episode. */
  deathAt?: number;
}

export interface GroundTruth {
  episodes: Episode[];
  /** Per subscriber, per device: its episodes in time order. */
  byDevice: Episode[][][];
  deaths: number;
  deathsInsideEpisodes: number;
}

function isLowReading(trace: DeviceTrace, level: number): boolean {
  const status = statusForLevel(level);
  if (status === 'Low' || status === 'Empty') return true;
  return trace.reportsLevel && level <= THRESHOLD;
}

function isChargedReading(trace: DeviceTrace, level: number): boolean {
  if (trace.reportsLevel) return level >= CHARGED_LEVEL;
  const status = statusForLevel(level);
  return status === 'High' || status === 'Medium';
}

export function groundTruth(traces: readonly SubscriberTrace[], start: number, end: number): GroundTruth {
  const episodes: Episode[] = [];
  const byDevice: Episode[][][] = [];
  let deaths = 0;
  let deathsInsideEpisodes = 0;
  for (const sub of traces) {
    const perDevice: Episode[][] = [];
    sub.devices.forEach((trace, device) => {
      const list: Episode[] = [];
      let open: Episode | undefined;
      trace.syncTimes.forEach((t, i) => {
        const level = trace.syncLevels[i] as number;
        if (open && isChargedReading(trace, level)) {
          open.end = t;
          open = undefined;
        }
        if (!open && isLowReading(trace, level)) {
          open = { sub: sub.index, device, start: t, end: Number.POSITIVE_INFINITY };
          list.push(open);
        }
      });
      for (const d of trace.deaths) {
        if (d < start || d >= end) continue;
        deaths++;
        const episode = list.find((e) => e.start <= d && d < e.end);
        if (!episode) continue;
        deathsInsideEpisodes++;
        episode.deathAt ??= d;
      }
      perDevice.push(list);
      episodes.push(...list);
    });
    byDevice.push(perDevice);
  }
  return { episodes, byDevice, deaths, deathsInsideEpisodes };
}

export interface Figures {
  requestsPerSubscriberDay: number;
  medianDelayMinutes: number;
  p95DelayMinutes: number;
  missedEpisodes: number;
  duplicateTexts: number;
  quietHourTexts: number;
}

export interface Diagnostics {
  requests: number;
  listDevices: number;
  refreshes: number;
  rejectedCalls: number;
  checks: number;
  failedChecks: number;
  loggedErrors: string[];
  texts: Record<TextKind | 'other', number>;
  /** Episodes that count for the delay (visible in the window, outside quiet hours) and were texted. */
  delaySamples: number;
  /** Stricter/looser companions of the headline figures. */
  missedLiteral: number;
  untextedEpisodes: number;
  textsOutsideEpisodes: number;
  /** "May have run out" texts while the device was in fact alive: [trackers, scales]. */
  falseStaleTexts: [number, number];
  maxDelayMinutes: number;
  /** Delay samples per hour of the local day the reading became visible: [count, median]. */
  delayByVisibleHour: Array<[number, number]>;
}

interface Text {
  at: number;
  kind: TextKind;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number;
}

function isDeadAt(trace: DeviceTrace, at: number): boolean {
  const death = lastAtOrBefore(trace.deaths, at);
  if (death < 0) return false;
  const revival = lastAtOrBefore(trace.revivals, at);
  return revival < 0 || (trace.revivals[revival] as number) < (trace.deaths[death] as number);
}

export function score(
  run: StrategyRun,
  traces: readonly SubscriberTrace[],
  truth: GroundTruth,
  zones: ZoneClocks,
  window: { start: number; end: number; subscribers: number; days: number },
): { figures: Figures; diagnostics: Diagnostics } {
  const bySubscriber = new Map<string, number>(traces.map((t) => [topicArnFor(t.index), t.index]));
  const texts: Record<TextKind | 'other', number> = { low: 0, empty: 0, stale: 0, other: 0 };
  const perEpisode = new Map<Episode, Text[]>();
  let quietHourTexts = 0;
  let textsOutsideEpisodes = 0;
  const falseStaleTexts: [number, number] = [0, 0];

  for (const message of run.messenger.published as Published[]) {
    const index = bySubscriber.get(message.topicArn);
    const trace = index === undefined ? undefined : traces[index];
    if (index === undefined || !trace) {
      texts.other++;
      textsOutsideEpisodes++;
      continue;
    }
    const zone = zones.get(trace.timeZone);
    if (zone.isQuiet(message.at)) quietHourTexts++;
    const parsed = parseText(trace, message.text);
    if (!parsed) {
      texts.other++;
      textsOutsideEpisodes++;
      continue;
    }
    texts[parsed.kind]++;
    const deviceTrace = trace.devices[parsed.device] as DeviceTrace;
    if (parsed.kind === 'stale' && !isDeadAt(deviceTrace, message.at))
      falseStaleTexts[deviceTrace.type === 'SCALE' ? 1 : 0]++;
    const episode = truth.byDevice[index]?.[parsed.device]?.find(
      (e) => e.start <= message.at && message.at < e.end,
    );
    if (!episode) {
      textsOutsideEpisodes++;
      continue;
    }
    const list = perEpisode.get(episode) ?? [];
    list.push({ at: message.at, kind: parsed.kind });
    perEpisode.set(episode, list);
  }

  const delays: number[] = [];
  const byHour: number[][] = Array.from({ length: 24 }, () => []);
  let duplicateTexts = 0;
  let missed = 0;
  let missedLiteral = 0;
  let untexted = 0;
  for (const episode of truth.episodes) {
    const sent = perEpisode.get(episode) ?? [];
    const kinds = new Map<TextKind, number>();
    for (const text of sent) kinds.set(text.kind, (kinds.get(text.kind) ?? 0) + 1);
    for (const count of kinds.values()) duplicateTexts += Math.max(0, count - 1);

    const trace = traces[episode.sub] as SubscriberTrace;
    const zone: ZoneClock = zones.get(trace.timeZone);
    const first = sent.length > 0 ? Math.min(...sent.map((t) => t.at)) : undefined;
    const inWindow = episode.start >= window.start && episode.start < window.end;
    if (inWindow && !zone.isQuiet(episode.start) && first !== undefined) {
      const minutes = (first - episode.start) / MINUTE;
      delays.push(minutes);
      byHour[Math.floor(zone.localMinutes(episode.start) / 60)]?.push(minutes);
    }
    if (episode.deathAt !== undefined) {
      const from = Math.max(episode.start, window.start);
      const warnedBeforeDeath = first !== undefined && first <= episode.deathAt;
      if (!warnedBeforeDeath && zone.awakeMsBetween(from, episode.deathAt) >= MISSED_AFTER_MS) missed++;
      if (first === undefined && episode.deathAt - from >= MISSED_AFTER_MS) missedLiteral++;
    }
    if (
      inWindow &&
      first === undefined &&
      zone.awakeMsBetween(episode.start, Math.min(episode.end, window.end)) >= MISSED_AFTER_MS
    )
      untexted++;
  }
  delays.sort((a, b) => a - b);
  const provider = run.provider;
  return {
    figures: {
      requestsPerSubscriberDay: provider.requests / (window.subscribers * window.days),
      medianDelayMinutes: percentile(delays, 0.5),
      p95DelayMinutes: percentile(delays, 0.95),
      missedEpisodes: missed,
      duplicateTexts,
      quietHourTexts,
    },
    diagnostics: {
      requests: provider.requests,
      listDevices: provider.listDevicesCalls,
      refreshes: provider.refreshCalls,
      rejectedCalls: provider.rejectedCalls,
      checks: run.checks,
      failedChecks: run.outcomes.failed,
      loggedErrors: run.logger.firstErrors,
      texts,
      delaySamples: delays.length,
      missedLiteral,
      untextedEpisodes: untexted,
      textsOutsideEpisodes,
      falseStaleTexts,
      maxDelayMinutes: delays.length > 0 ? (delays[delays.length - 1] as number) : Number.NaN,
      delayByVisibleHour: byHour.map((list) => {
        list.sort((a, b) => a - b);
        return [list.length, percentile(list, 0.5)];
      }),
    },
  };
}

/** Which device and kind a published text is about, from the wording of the service's texts. */
function parseText(trace: SubscriberTrace, text: string): { device: number; kind: TextKind } | undefined {
  const order = trace.devices.map((d, i) => [d.name, i] as const).sort((a, b) => b[0].length - a[0].length);
  for (const [name, device] of order) {
    if (text.startsWith(`${name} battery low:`)) return { device, kind: 'low' };
    if (text.startsWith(`${name} battery is EMPTY`)) return { device, kind: 'empty' };
    if (text.startsWith(`${name} was low and has not synced`)) return { device, kind: 'stale' };
  }
  return undefined;
}

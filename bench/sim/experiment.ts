/**
 * One simulation job: builds the seeded traces, runs the given strategies over them round by round,
 * and scores each one. The same traces come out of the same options in any thread, so strategies can
 * run in separate workers and still face identical subscribers.
 */
import { type Diagnostics, type Figures, groundTruth, score } from './metrics';
import { STRATEGIES, type StrategyName, StrategyRun, TICK_MS } from './run';
import { generateTraces } from './traces';
import { DAY, ZoneClocks } from './zones';

/** Sunday 2026-03-01 00:00 UTC: the window spans the US switch to DST (Mar 8). */
export const SIM_START = Date.parse('2026-03-01T00:00:00Z');
/** Traces start this long before the simulation, so devices begin mid-life with a sync history. */
const WARMUP_MS = 10 * DAY;

export interface SimOptions {
  subscribers: number;
  days: number;
  seed: number;
}

export interface DayProgress {
  day: number;
  strategies: Array<{ name: StrategyName; requests: number; texts: number }>;
}

export interface StrategyResult {
  name: StrategyName;
  figures: Figures;
  diagnostics: Diagnostics;
  webhooks: StrategyRun['webhookStats'];
}

export interface TruthSummary {
  devices: number;
  scales: number;
  episodes: number;
  deaths: number;
  deathsInsideEpisodes: number;
}

export async function runStrategies(
  options: SimOptions,
  names: readonly StrategyName[],
  onDay: (progress: DayProgress) => void,
): Promise<{ results: StrategyResult[]; summary: TruthSummary }> {
  const start = SIM_START;
  const end = start + options.days * DAY;
  const zones = new ZoneClocks(start - WARMUP_MS - DAY, end + 2 * DAY);
  const traces = generateTraces(
    options.subscribers,
    options.seed,
    { from: start - WARMUP_MS, to: end },
    zones,
  );
  const truth = groundTruth(traces, start, end);
  const runs = STRATEGIES.filter((s) => names.includes(s.name)).map(
    (s) => new StrategyRun(s, traces, start, { end, seed: options.seed }),
  );

  for (let day = 0; day < options.days; day++) {
    const dayStart = start + day * DAY;
    for (let now = dayStart; now < dayStart + DAY; now += TICK_MS) {
      for (const run of runs) await run.round(now);
    }
    onDay({
      day: day + 1,
      strategies: runs.map((run) => ({
        name: run.strategy.name,
        requests: run.provider.requests,
        texts: run.messenger.published.length,
      })),
    });
  }

  const window = { start, end, subscribers: options.subscribers, days: options.days };
  return {
    results: runs.map((run) => ({
      name: run.strategy.name,
      ...score(run, traces, truth, zones, window),
      webhooks: { ...run.webhookStats },
    })),
    summary: {
      devices: traces.reduce((n, t) => n + t.devices.length, 0),
      scales: traces.reduce((n, t) => n + t.devices.filter((d) => d.type === 'SCALE').length, 0),
      episodes: truth.episodes.filter((e) => e.start >= start && e.start < end).length,
      deaths: truth.deaths,
      deathsInsideEpisodes: truth.deathsInsideEpisodes,
    },
  };
}

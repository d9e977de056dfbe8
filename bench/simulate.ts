/**
 * Simulates the battery checks of many synthetic subscribers over simulated days, through the real
 * checker and policy, and compares the adaptive schedule, the adaptive schedule with Google Health
 * sync notifications (issue 15; every subscriber opted in, early checks by src/domain/early-check.ts),
 * and fixed hourly and half-hourly polling on the same traces: provider requests, alert delay, missed
 * episodes, duplicates, quiet-hour texts.
 *
 *   npm run bench:simulate -- --subscribers 1000 --days 14 --seed 42
 *
 * Prints a table (progress per simulated day on stderr) and writes bench/results/simulate.json.
 * Strategies run in two worker threads; SIMULATE_THREADS=1 runs everything in the main thread.
 *
 * Honesty rules: ground truth (when a low reading became visible, when a device died) comes from the
 * traces in sim/traces.ts; texts are what the messenger saw published to each subscriber's topic;
 * local time for quiet hours is computed in sim/zones.ts, not by src/domain/quiet-hours.ts. The
 * provider reports a status with every reading, mapped from the level as the local sandbox does
 * (Empty <= 5, Low <= 25, Medium <= 60): the policy treats status Low as low, so a tracker first reads
 * low at 25 %, above the default threshold of 20.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { DEFAULT_EARLY_CHECK, DEFAULT_RELAX } from '../src/domain/early-check';
import {
  type DayProgress,
  runStrategies,
  SIM_START,
  type SimOptions,
  type StrategyResult,
  type TruthSummary,
} from './sim/experiment';
import { NOTIFICATION_DELAY, STRATEGIES, type StrategyName } from './sim/run';

const RESULTS = join(__dirname, 'results', 'simulate.json');
/**
 * Strategies are independent, so they run in two worker threads (one per core): half-hourly polling
 * alone does ~60 % of all checks. Each worker rebuilds the same seeded traces.
 */
const GROUPS: StrategyName[][] = [
  ['halfHourly', 'adaptiveWebhooks'],
  ['adaptive', 'hourly', 'adaptiveWebhooks15'],
];

type Outcome = { results: StrategyResult[]; summary: TruthSummary };

function parseArgs(argv: string[]): SimOptions {
  const options: SimOptions = { subscribers: 1000, days: 14, seed: 42 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = (argv[i] as string).split('=', 2);
    const key = flag?.replace(/^--/, '');
    if (key !== 'subscribers' && key !== 'days' && key !== 'seed') {
      throw new Error(`unknown argument ${argv[i]} (expected --subscribers N --days N --seed N)`);
    }
    const raw = inline ?? argv[++i];
    const value = Number(raw);
    if (!Number.isInteger(value) || value < (key === 'seed' ? 0 : 1)) {
      throw new Error(`--${key} needs a ${key === 'seed' ? 'non-negative' : 'positive'} integer, got ${raw}`);
    }
    options[key] = value;
  }
  return options;
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

function fmt(n: number, digits = 1): string {
  return Number.isFinite(n) ? n.toFixed(digits) : 'n/a';
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('  '),
    )
    .join('\n');
}

/** Runs some strategies in a worker thread (TypeScript loaded through tsx, as in the main thread). */
function inWorker(
  options: SimOptions,
  names: StrategyName[],
  onDay: (p: DayProgress) => void,
): Promise<Outcome> {
  const entry = join(__dirname, 'sim', 'worker.ts');
  const code = `require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(entry)});`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, { eval: true, workerData: { options, names } });
    worker.on(
      'message',
      (message: { type: 'day'; progress: DayProgress } | { type: 'done'; outcome: Outcome }) => {
        if (message.type === 'day') onDay(message.progress);
        else resolve(message.outcome);
      },
    );
    worker.on('error', reject);
    worker.on('exit', (code) => {
      if (code !== 0) reject(new Error(`simulation worker for ${names.join(', ')} exited with code ${code}`));
    });
  });
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const start = SIM_START;

  // Progress: one line per simulated day once every group has finished that day.
  const days = new Map<number, DayProgress['strategies']>();
  const onDay = (p: DayProgress) => {
    const seen = [...(days.get(p.day) ?? []), ...p.strategies];
    days.set(p.day, seen);
    if (seen.length < STRATEGIES.length) return;
    const line = STRATEGIES.map((s) => {
      const r = seen.find((x) => x.name === s.name);
      return r
        ? `${s.name} ${(r.requests / options.subscribers / p.day).toFixed(1)} req/sub-day, ${r.texts} texts`
        : '';
    }).join('; ');
    process.stderr.write(
      `day ${p.day}/${options.days} (${((performance.now() - started) / 1000).toFixed(1)} s): ${line}\n`,
    );
  };
  const single = process.env.SIMULATE_THREADS === '1';
  const outcomes = single
    ? [
        await runStrategies(
          options,
          STRATEGIES.map((s) => s.name),
          onDay,
        ),
      ]
    : await Promise.all(GROUPS.map((names) => inWorker(options, names, onDay)));
  const summary = (outcomes[0] as Outcome).summary;
  const results = new Map<StrategyName, StrategyResult>(
    outcomes.flatMap((o) => o.results).map((r) => [r.name, r]),
  );
  const { devices, scales } = summary;
  const get = (name: StrategyName) => results.get(name) as StrategyResult;
  const names = STRATEGIES.map((s) => s.name);
  const labels = STRATEGIES.map((s) => s.label);
  const row = (label: string, value: (r: StrategyResult) => string) => [
    label,
    ...names.map((n) => value(get(n))),
  ];

  const elapsed = (performance.now() - started) / 1000;
  console.log(
    `\nfitbit-battery-sms simulation: ${options.subscribers} subscribers, ${devices} devices (${scales} scales), ` +
      `${options.days} days from ${new Date(start).toISOString().slice(0, 10)}, seed ${options.seed}, ` +
      `5-minute dispatcher rounds;\n${summary.episodes} low ` +
      `episodes became visible in the window, ${summary.deaths} devices died (${summary.deathsInsideEpisodes} after ` +
      `a low reading was visible)\n`,
  );
  console.log(
    table([
      ['', ...labels],
      row('provider requests / subscriber-day', (r) => fmt(r.figures.requestsPerSubscriberDay, 2)),
      row('median delay, min', (r) => fmt(r.figures.medianDelayMinutes)),
      row('p95 delay, min', (r) => fmt(r.figures.p95DelayMinutes)),
      row('missed episodes', (r) => String(r.figures.missedEpisodes)),
      row('duplicate texts', (r) => String(r.figures.duplicateTexts)),
      row('quiet-hour texts', (r) => String(r.figures.quietHourTexts)),
      ['--- detail', ...names.map(() => '')],
      row('  listDevices calls', (r) => String(r.diagnostics.listDevices)),
      row('  token refreshes', (r) => String(r.diagnostics.refreshes)),
      row('  rejected calls (expired token)', (r) => String(r.diagnostics.rejectedCalls)),
      row('  checks', (r) => String(r.diagnostics.checks)),
      row(
        '  failed checks / logged errors',
        (r) => `${r.diagnostics.failedChecks}/${r.diagnostics.loggedErrors.length}`,
      ),
      row(
        '  texts low / empty / stale',
        (r) => `${r.diagnostics.texts.low}/${r.diagnostics.texts.empty}/${r.diagnostics.texts.stale}`,
      ),
      row('  texts outside any low episode', (r) => String(r.diagnostics.textsOutsideEpisodes)),
      row('  "may have run out" while alive: trackers/scales', (r) =>
        r.diagnostics.falseStaleTexts.join('/'),
      ),
      row(
        '  delay samples / max delay, min',
        (r) => `${r.diagnostics.delaySamples}/${fmt(r.diagnostics.maxDelayMinutes, 0)}`,
      ),
      row('  died, never texted (literal)', (r) => String(r.diagnostics.missedLiteral)),
      row('  low >= 2 h awake, never texted', (r) => String(r.diagnostics.untextedEpisodes)),
      row('  notifications received / lost', (r) =>
        r.webhooks.received + r.webhooks.lost > 0 ? `${r.webhooks.received}/${r.webhooks.lost}` : '-',
      ),
      row('  early checks now / deferred / not worth it', (r) =>
        r.webhooks.received > 0 ? `${r.webhooks.earlyNow}/${r.webhooks.deferred}/${r.webhooks.ignored}` : '-',
      ),
    ]),
  );
  const min = (ms: number) => `${ms / 60_000} min`;
  console.log(
    `\nadaptive + webhooks: every subscriber opted in; each sync of a tracker (steps) or scale (weight) ` +
      `is notified after a log-normal delay (median ${min(NOTIFICATION_DELAY.medianMs)}, sigma ${NOTIFICATION_DELAY.sigma}, ` +
      `p95 ~10 min, cap ${min(NOTIFICATION_DELAY.capMs)}; ${NOTIFICATION_DELAY.lost * 100} % never arrive: an assumption, ` +
      `Google publishes no figures);\nearly check (src/domain/early-check.ts) when a device of that kind, its last level carried forward at a ` +
      `pessimistic drain, is within ${DEFAULT_EARLY_CHECK.nearMarginPoints} point of its next text (low, or Empty once low), ` +
      `or unseen ${DEFAULT_EARLY_CHECK.unseenAfterMs / 3600_000} h; at most one per ${min(DEFAULT_EARLY_CHECK.debounceMs)} ` +
      `(15 min in the last webhooks column; later ones deferred to its end); polling relaxed ` +
      `x${DEFAULT_RELAX.factor}, at least ${min(DEFAULT_RELAX.minIntervalMs)}, at most ${DEFAULT_RELAX.maxIntervalMs / 3600_000} h.`,
  );
  console.log(
    '\nmissed = died after its low reading was visible >= 2 h outside quiet hours, with no text before it died;' +
      '\n"literal" = died >= 2 h after the low reading became visible and got no text at all in the episode.',
  );

  console.log('\nmedian delay by local hour the low reading became visible (samples: median min):');
  console.log(
    table([
      ['hour', ...labels],
      ...Array.from({ length: 24 }, (_, h) => h)
        .filter((h) => h >= 7 && h < 22)
        .map((h) =>
          row(`${String(h).padStart(2, '0')}:00`, (r) => {
            const [n, median] = r.diagnostics.delayByVisibleHour[h] ?? [0, Number.NaN];
            return `${n}: ${fmt(median, 0)}`;
          }),
        ),
    ]),
  );

  const adaptive = get('adaptive').figures;
  const hourly = get('hourly').figures;
  const targets: Array<[string, boolean]> = [
    [
      `requests <= 1/4 of hourly (${fmt(adaptive.requestsPerSubscriberDay, 2)} <= ${fmt(hourly.requestsPerSubscriberDay / 4, 2)})`,
      adaptive.requestsPerSubscriberDay <= hourly.requestsPerSubscriberDay / 4,
    ],
    [`zero missed episodes (${adaptive.missedEpisodes})`, adaptive.missedEpisodes === 0],
    [`zero duplicate texts (${adaptive.duplicateTexts})`, adaptive.duplicateTexts === 0],
    [`zero quiet-hour texts (${adaptive.quietHourTexts})`, adaptive.quietHourTexts === 0],
    [`median delay <= 30 min (${fmt(adaptive.medianDelayMinutes)})`, adaptive.medianDelayMinutes <= 30],
  ];
  console.log('\ntargets for adaptive:');
  for (const [label, ok] of targets) console.log(`  ${ok ? 'PASS' : 'FAIL'}  ${label}`);
  for (const [name, label] of [
    ['adaptiveWebhooks', 'adaptive + webhooks (30-min debounce)'],
    ['adaptiveWebhooks15', 'adaptive + webhooks, 15-min debounce'],
  ] as const) {
    const hooks = get(name).figures;
    const hookTargets: Array<[string, boolean]> = [
      [`p95 delay <= 15 min (${fmt(hooks.p95DelayMinutes)})`, hooks.p95DelayMinutes <= 15],
      [
        `requests <= adaptive's (${fmt(hooks.requestsPerSubscriberDay, 2)} <= ${fmt(adaptive.requestsPerSubscriberDay, 2)})`,
        hooks.requestsPerSubscriberDay <= adaptive.requestsPerSubscriberDay,
      ],
      [`zero missed episodes (${hooks.missedEpisodes})`, hooks.missedEpisodes === 0],
      [`zero duplicate texts (${hooks.duplicateTexts})`, hooks.duplicateTexts === 0],
      [`zero quiet-hour texts (${hooks.quietHourTexts})`, hooks.quietHourTexts === 0],
    ];
    console.log(`\ntargets for ${label} (issue 15):`);
    for (const [text, ok] of hookTargets) console.log(`  ${ok ? 'PASS' : 'FAIL'}  ${text}`);
  }
  for (const r of results.values())
    for (const line of r.diagnostics.loggedErrors) console.log(`  ${r.name} logged: ${line}`);

  const json = {
    strategies: Object.fromEntries(
      names.map((n) => {
        const f = get(n).figures;
        return [
          n,
          {
            requestsPerSubscriberDay: round2(f.requestsPerSubscriberDay),
            medianDelayMinutes: round2(f.medianDelayMinutes),
            p95DelayMinutes: round2(f.p95DelayMinutes),
            missedEpisodes: f.missedEpisodes,
            duplicateTexts: f.duplicateTexts,
            quietHourTexts: f.quietHourTexts,
          },
        ];
      }),
    ),
    subscribers: options.subscribers,
    days: options.days,
    seed: options.seed,
  };
  mkdirSync(dirname(RESULTS), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(json, null, 2)}\n`);
  console.log(`\nwrote ${RESULTS} in ${elapsed.toFixed(1)} s`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});

/** Command-line flags of the throughput bench: `--name value` or `--name=value`, positive integers only. */

export interface ThroughputArgs {
  subscribers: number;
  /** Checker invocations in flight (the dispatcher's CHECK_PARALLELISM). */
  parallelism: number;
  /** Subscribers checked at once inside one checker (CHECK_CONCURRENCY). */
  concurrency: number;
  /** Subscribers per checker invocation (CHECK_BATCH_SIZE). */
  batchSize: number;
  /** Latency the sandbox adds to every provider answer. */
  latencyMs: number;
  /** Write a V8 CPU profile of the round (only the round) to this file. */
  cpuProfile?: string;
  /** Run dynalite and the sandbox on the main thread, with the checkers (default: worker threads). */
  servicesOnMain: boolean;
}

/**
 * One process on a 2-core machine stands in for many Lambdas: each check costs about 2-3 ms of CPU
 * here, so the shipped 10 x 10 = 100 in flight (1,000 checks/s ideal at 100 ms) is CPU-bound at
 * ~330/s. The default measures 2 checkers x 10 = 20 in flight, which this machine can feed, so the
 * ratio shows what the code itself wastes; `--parallelism 10` reproduces the CPU-bound figure.
 */
export const DEFAULTS: ThroughputArgs = {
  subscribers: 10_000,
  parallelism: 2,
  concurrency: 10,
  // The shipped default (serverless.yml checkBatchSize, config CHECK_BATCH_SIZE).
  batchSize: 90,
  latencyMs: 100,
  servicesOnMain: false,
};

const FLAGS: Record<string, 'subscribers' | 'parallelism' | 'concurrency' | 'batchSize' | 'latencyMs'> = {
  subscribers: 'subscribers',
  parallelism: 'parallelism',
  concurrency: 'concurrency',
  'batch-size': 'batchSize',
  latency: 'latencyMs',
};

export function parseArgs(argv: string[]): ThroughputArgs {
  const args = { ...DEFAULTS };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') {
      throw new Error(
        `usage: npm run bench:throughput -- [${Object.keys(FLAGS)
          .map((f) => `--${f} N`)
          .join('] [')}] [--cpu-profile round.cpuprofile] [--services-on-main]`,
      );
    }
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (arg === '--services-on-main') {
      args.servicesOnMain = true;
      continue;
    }
    if (m?.[1] === 'cpu-profile') {
      const file = m[2] ?? argv[++i];
      if (!file) throw new Error('--cpu-profile needs a file name');
      args.cpuProfile = file;
      continue;
    }
    const key = m?.[1] ? FLAGS[m[1]] : undefined;
    if (!m || !key) throw new Error(`unknown argument ${arg} (try --help)`);
    const raw = m[2] ?? argv[++i];
    const value = Number(raw);
    const min = key === 'latencyMs' ? 0 : 1;
    if (!Number.isInteger(value) || value < min) throw new Error(`--${m[1]} needs an integer >= ${min}`);
    args[key] = value;
  }
  return args;
}

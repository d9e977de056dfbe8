/**
 * A resource a suite starts in a hook and must close again (a server, an emulator, a whole local
 * stack), handed to the tests as a stand-in for the running one. One place for the start/stop
 * hooks, so no suite forgets to close what it opened and jest exits by itself.
 */

export interface UseStartedOptions {
  /** A fresh resource for every test (beforeEach/afterEach) instead of one per block (beforeAll/afterAll). */
  perTest?: boolean;
  /** How long starting may take. */
  timeoutMs?: number;
}

/**
 * Registers the hooks in the current block (file or describe) and returns an object that forwards
 * every field to the running resource; touched outside a test or hook it throws, instead of
 * answering undefined.
 */
export function useStarted<T extends object>(
  start: () => Promise<T>,
  stop: (running: T) => Promise<void>,
  options: UseStartedOptions = {},
): T {
  let running: T | undefined;
  let starting: Promise<T> | undefined;
  const before = options.perTest ? beforeEach : beforeAll;
  const after = options.perTest ? afterEach : afterAll;
  before(async () => {
    starting = start();
    running = await starting;
  }, options.timeoutMs);
  after(async () => {
    // A start that outlived its hook's timeout still finishes: wait for it, then close what it opened.
    const started = await starting?.catch(() => undefined);
    starting = undefined;
    running = undefined;
    if (started) await stop(started);
  });
  return new Proxy({} as T, {
    get(_, field) {
      if (!running) throw new Error('a started resource is only there inside tests and hooks');
      return Reflect.get(running, field);
    },
  });
}

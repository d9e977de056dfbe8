/** A V8 CPU profile of one stretch of the bench (the round), viewable in Chrome DevTools or speedscope. */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

function post(session: Session, method: string, params?: object): Promise<unknown> {
  return new Promise((resolve, reject) =>
    session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
  );
}

/** Starts profiling; the returned function stops and writes the profile to `file`. */
export async function startCpuProfile(file: string): Promise<() => Promise<void>> {
  const session = new Session();
  session.connect();
  await post(session, 'Profiler.enable');
  await post(session, 'Profiler.setSamplingInterval', { interval: 500 });
  await post(session, 'Profiler.start');
  return async () => {
    const { profile } = (await post(session, 'Profiler.stop')) as { profile: unknown };
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}

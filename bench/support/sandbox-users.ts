/**
 * Sandbox users for the benchmarks, made through the sandbox's control API (no browser): their
 * devices, and a Google grant minted by the sandbox's grant helper. Shared by the reliability harness
 * and the throughput seeding.
 */

/** An offline Google grant, as the sandbox's token endpoint answers it. */
export interface SandboxGrant {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  scope: string;
}

/** RFC 3339 to the second, as the Health API writes times. */
export const rfc3339 = (ms: number) =>
  new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** A call to the sandbox's control API that must succeed; answers its JSON body, if any. */
export async function sandboxJson<T = unknown>(
  sandboxUrl: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${sandboxUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

/** A tracker at `level` (Low at 25% or less) and a scale at 90%, both synced at `syncMs`. */
export function trackerAndScale(level: number, syncMs: number) {
  const lastSyncTime = rfc3339(syncMs);
  return [
    {
      deviceType: 'TRACKER',
      batteryStatus: level <= 25 ? 'Low' : 'High',
      batteryLevel: level,
      lastSyncTime,
      deviceVersion: 'Charge 6',
    },
    {
      deviceType: 'SCALE',
      batteryStatus: 'High',
      batteryLevel: 90,
      lastSyncTime,
      deviceVersion: 'Aria Air',
    },
  ];
}

/** Gives the sandbox user these devices (when given) and answers a fresh Google grant for them. */
export async function sandboxUser(
  sandboxUrl: string,
  user: string,
  devices?: ReturnType<typeof trackerAndScale>,
): Promise<SandboxGrant> {
  if (devices) await sandboxJson(sandboxUrl, 'PUT', `/sandbox/users/${user}/devices`, devices);
  return sandboxJson<SandboxGrant>(sandboxUrl, 'POST', `/sandbox/users/${user}/grant`, {});
}

/** The sandbox keeps users, grants and conversations across restarts when given a data directory. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox } from '../../../local/sandbox';
import { CLIENT_ID, CLIENT_SECRET, getJson, googleTokens, SERVICE_NUMBER } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'sandbox-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const start = () =>
  startSandbox({
    host: '127.0.0.1',
    port: 0,
    dataDir: dir,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    serviceNumber: SERVICE_NUMBER,
    publishInbound: async () => {},
  });

it('reloads users, tokens and conversations from <dataDir>/sandbox.json after a restart', async () => {
  const first = await start();
  const tokens = await googleTokens(first.url, 'zoe');
  first.phones.deliver('+14255550182', 'kept');
  await first.close();

  const second = await start();
  try {
    expect((await getJson(`${second.url}/v4/users/me/identity`, tokens.access_token)).body.healthUserId).toBe(
      'zoe',
    );
    expect(second.phones.messages('+14255550182').map((m) => m.body)).toEqual(['kept']);
  } finally {
    await second.close();
  }
});

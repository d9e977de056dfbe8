/** A local stack that cannot start (a port taken) closes what it had started and says why. */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localConfig } from '../../local/local-config';
import { startLocalStack } from '../../local/start';
import { freePorts } from './stack';

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('starting the local stack', () => {
  it('fails clearly when a port is taken, and leaves nothing listening', async () => {
    const ports = await freePorts();
    const dataDir = mkdtempSync(join(tmpdir(), 'fbs-start-'));
    // The Lambda API's IAM gateway is the last port the stack takes before serverless-offline starts.
    const squatter = await listen(Number(ports.LAMBDA_PORT));
    try {
      const cfg = localConfig({ ...ports, LOCAL_DATA_DIR: dataDir });

      await expect(startLocalStack(cfg, () => undefined)).rejects.toThrow(/EADDRINUSE/);

      // DynamoDB's and SNS's gateways and the sandbox started before that failed: their ports are free again.
      for (const port of [ports.DYNAMODB_PORT, ports.SNS_PORT, ports.SANDBOX_PORT]) {
        const again = await listen(Number(port));
        await new Promise((r) => again.close(r));
      }
    } finally {
      await new Promise((r) => squatter.close(r));
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

/**
 * The sandbox server: plays the outside world for the local stack (Google and Fitbit OAuth and data
 * APIs, AWS End User Messaging SMS, and the phones on the other end) on one port, with JSON control
 * endpoints for scripts and tests and a few pages for humans.
 */

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { packagedTemplate } from '../iam/template';
import { deployParams, localConfig } from '../local-config';
import { smsKeywordSettings, smsProtectConfigurations } from '../serverless-config';
import type { Ctx, SandboxOptions } from './context';
import { registerControl } from './control';
import { Faults, registerFaults } from './faults';
import { googleApiErrorBody } from './google-errors';
import { registerHealthApi } from './health-api';
import { closeServer, HttpError, listen, Router, sendJson } from './http';
import { registerOAuth } from './oauth';
import { registerPages } from './pages';
import { handleSmsV2, PhoneNetwork } from './phones';
import { Store } from './state';
import { registerWebhooks, Webhooks } from './webhooks';

const ROOT = resolve(__dirname, '..', '..');

export type { SandboxOptions } from './context';
export { FAULT_TARGETS, type Fault, type FaultTarget } from './faults';
export { GOOGLE_SETTINGS_SCOPE } from './health-api';
export { OPT_IN_WORDS, OPT_OUT_WORDS, TOLL_FREE_STOP_REPLY } from './keywords';
export { PhoneNetwork, type PhoneSummary } from './phones';
export type { PairedDevice, PhoneMessage } from './state';

export interface Sandbox {
  url: string;
  close(): Promise<void>;
  /** So the local SNS emulator can deliver SMS into it. */
  phones: PhoneNetwork;
  /** Resolves true once no webhook notification is in flight or waiting for a retry (false after 60 s). */
  webhooksSettled(): Promise<boolean>;
}

/** What the caller does not say is read from the packaged template: keywords and country rules. */
async function templateSettings(stage: string) {
  const template = await packagedTemplate(ROOT, stage, deployParams(localConfig({})));
  return { keywords: smsKeywordSettings(template), protect: smsProtectConfigurations(template) };
}

export async function startSandbox(opts: SandboxOptions): Promise<Sandbox> {
  const log = opts.log ?? (() => {});
  const now = opts.now ?? Date.now;
  const store = new Store(opts.dataDir, log);
  // Settings the caller gives stand alone; otherwise both come from the packaged template.
  const settings = opts.keywords
    ? { keywords: opts.keywords, protect: {} }
    : await templateSettings(opts.stage ?? 'dev');
  const phones = new PhoneNetwork({
    store,
    now,
    log,
    serviceNumber: opts.serviceNumber,
    keywords: settings.keywords,
    // Looked up at call time, so the caller may wire SNS after the sandbox has started.
    publishInbound: (payload) => opts.publishInbound(payload),
    onOptOutChange: (phone, optedOut) => opts.onOptOutChange?.(phone, optedOut),
  });
  const base = {
    opts,
    now,
    log,
    store,
    codes: new Map(),
    phones,
    faults: new Faults(),
    protectConfigurations: opts.protectConfigurations ?? settings.protect,
  };
  const webhooks = new Webhooks(base);
  const ctx: Ctx = { ...base, webhooks };

  const router = new Router();
  router.on('POST', '/', (req, res) => handleSmsV2(ctx, req, res));
  registerOAuth(router, ctx);
  registerHealthApi(router, ctx);
  registerControl(router, ctx);
  registerFaults(router, ctx);
  registerPages(router, ctx);
  registerWebhooks(router, ctx, webhooks);

  // Spent and expired codes would otherwise pile up in a long-running dev sandbox.
  const sweeper = setInterval(() => {
    for (const [code, entry] of ctx.codes) if (entry.used || entry.expiresAt < now()) ctx.codes.delete(code);
  }, 60_000);
  sweeper.unref();

  async function onRequest(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://sandbox.local');
    try {
      const found = router.match(req.method ?? 'GET', url.pathname);
      // Health API paths answer in Google's error format, like every other Health API error.
      const google = /^\/v4(beta)?\//.test(url.pathname);
      if (found === 'not-found')
        throw new HttpError(
          404,
          google
            ? googleApiErrorBody(
                404,
                'NOT_FOUND',
                `The requested URL ${url.pathname} was not found on this server.`,
              )
            : { error: `no route for ${url.pathname}` },
        );
      if (found === 'bad-method')
        throw new HttpError(
          405,
          google
            ? googleApiErrorBody(405, 'INVALID_ARGUMENT', `${req.method} is not allowed on ${url.pathname}.`)
            : { error: `${req.method} not allowed on ${url.pathname}` },
        );
      await found.handler(req, res, found.params, url);
    } catch (err) {
      if (res.headersSent) {
        res.end();
        return;
      }
      if (err instanceof HttpError) {
        sendJson(res, err.status, err.body, err.headers);
        return;
      }
      if (err instanceof URIError) {
        sendJson(res, 400, { error: 'malformed URL encoding' });
        return;
      }
      log(`[sandbox] ${req.method} ${url.pathname} failed: ${(err as Error).stack ?? err}`);
      sendJson(res, 500, { error: 'internal sandbox error' });
    }
  }

  const server = createServer((req, res) => void onRequest(req, res));
  const url = await listen(server, opts.host, opts.port);
  log(`[sandbox] listening on ${url}`);

  return {
    url,
    phones,
    webhooksSettled: () => webhooks.settled(),
    async close() {
      clearInterval(sweeper);
      webhooks.close();
      await closeServer(server);
      store.flush();
    },
  };
}

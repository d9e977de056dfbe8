/**
 * The sandbox's human side: an index, a phone page that shows each conversation like a messaging
 * app, and a devices page to drain batteries by hand. Every form is a plain POST that redirects
 * back, so the pages work without JavaScript; scripts only add live updates.
 */
import type { ServerResponse } from 'node:http';
import { type Ctx, ensureUser, getUser } from './context';
import { expireTokens, isTimeZone, revokeAll } from './control';
import { E164, html, type Router, readForm, redirect, sendHtml } from './http';
import { page } from './layout';
import { BATTERY_STATUSES, deviceId, rfc3339, statusForLevel, type User } from './state';
import { DEVICES_JS, PHONE_JS, SANDBOX_CSS, SANDBOX_JS } from './static';

function sendStatic(res: ServerResponse, type: string, body: string) {
  res.writeHead(200, {
    'content-type': `${type}; charset=utf-8`,
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
}

function formError(res: ServerResponse, message: string, back: string) {
  sendHtml(
    res,
    400,
    page(
      'Invalid input',
      html`<section class="card"><h1>Invalid input</h1><p>${message}</p><p><a href="${back}">Back</a></p></section>`,
    ),
  );
}

function anchor(value: string): string {
  return `p${value.replace(/[^A-Za-z0-9-]/g, '')}`;
}

export function registerPages(router: Router, ctx: Ctx) {
  router.on('GET', '/sandbox/static/sandbox.css', (_q, res) => sendStatic(res, 'text/css', SANDBOX_CSS));
  router.on('GET', '/sandbox/static/sandbox.js', (_q, res) => sendStatic(res, 'text/javascript', SANDBOX_JS));
  router.on('GET', '/sandbox/static/phone.js', (_q, res) => sendStatic(res, 'text/javascript', PHONE_JS));
  router.on('GET', '/sandbox/static/devices.js', (_q, res) => sendStatic(res, 'text/javascript', DEVICES_JS));

  router.on('GET', '/sandbox', (_q, res) => {
    const legacy = ctx.store.data.legacyRetired;
    const body = html`<section class="card"><h1>Sandbox</h1>
<p>This server plays the outside world for the local stack: Google and Fitbit sign-in, their device APIs, and the phone network.</p>
<ul>
<li><a href="/sandbox/phone">Phones</a>: read the texts the service sent, and reply.</li>
<li><a href="/sandbox/devices">Devices</a>: users, trackers and battery levels.</li>
</ul>
<p class="muted">Service number ${ctx.opts.serviceNumber}. Legacy Fitbit API: ${legacy ? 'retired (HTTP 410)' : 'on'}.</p>
<form method="post" action="/sandbox/devices/legacy"><input type="hidden" name="retired" value="${legacy ? '0' : '1'}">
<button type="submit" class="secondary">${legacy ? 'Bring the legacy Fitbit API back' : 'Retire the legacy Fitbit API'}</button></form>
</section>`;
    sendHtml(res, 200, page('Sandbox', body));
  });

  router.on('GET', '/sandbox/phone', (_q, res) => sendHtml(res, 200, phonePage(ctx)));
  router.on('POST', '/sandbox/phone/send', async (req, res) => {
    const form = await readForm(req);
    const from = (form.get('from') ?? '').trim();
    const text = form.get('body') ?? '';
    if (!E164.test(from))
      return formError(res, 'The number must be E.164, e.g. +12025550123.', '/sandbox/phone');
    if (text.trim() === '') return redirect(res, `/sandbox/phone#${anchor(from)}`, 303);
    await ctx.phones.receive(from, text);
    redirect(res, `/sandbox/phone#${anchor(from)}`, 303);
  });
  router.on('POST', '/sandbox/phone/clear', async (req, res) => {
    const phone = (await readForm(req)).get('phone') ?? '';
    if (E164.test(phone)) ctx.phones.clear(phone);
    redirect(res, '/sandbox/phone', 303);
  });

  router.on('GET', '/sandbox/devices', (_q, res) => sendHtml(res, 200, devicesPage(ctx)));
  router.on('POST', '/sandbox/devices/user', async (req, res) => {
    const form = await readForm(req);
    const id = (form.get('id') ?? '').trim();
    const timeZone = (form.get('timeZone') ?? '').trim();
    if (!/^[A-Za-z0-9-]{1,63}$/.test(id))
      return formError(res, 'User ids are 1-63 letters, digits or hyphens.', '/sandbox/devices');
    if (timeZone && !isTimeZone(timeZone))
      return formError(res, `Unknown time zone ${timeZone}.`, '/sandbox/devices');
    const user = ensureUser(ctx, id);
    if (timeZone) user.timeZone = timeZone;
    ctx.store.changed();
    redirect(res, `/sandbox/devices#${anchor(id)}`, 303);
  });
  router.on('POST', '/sandbox/devices/update', async (req, res) => {
    const form = await readForm(req);
    const user = getUser(ctx, form.get('user') ?? '');
    const device = user?.devices.find((d) => d.name === form.get('device'));
    if (!user || !device) return formError(res, 'No such device.', '/sandbox/devices');
    if (form.get('action') === 'remove') {
      user.devices = user.devices.filter((d) => d !== device);
    } else {
      const level = Number(form.get('batteryLevel'));
      if (Number.isInteger(level) && level >= 0 && level <= 100) device.batteryLevel = level;
      const status = form.get('batteryStatus');
      if (status === 'auto' && device.batteryLevel !== undefined)
        device.batteryStatus = statusForLevel(device.batteryLevel);
      else if (BATTERY_STATUSES.includes(status as never))
        device.batteryStatus = status as (typeof BATTERY_STATUSES)[number];
      if (form.get('syncNow') === '1') device.lastSyncTime = rfc3339(ctx.now());
    }
    ctx.store.changed();
    // "Sync now" is a sync: webhook subscribers hear of it.
    if (form.get('syncNow') === '1' && form.get('action') !== 'remove') ctx.webhooks.notifySync(user);
    redirect(res, `/sandbox/devices#${anchor(user.id)}`, 303);
  });
  router.on('POST', '/sandbox/devices/add', async (req, res) => {
    const form = await readForm(req);
    const user = getUser(ctx, form.get('user') ?? '');
    if (!user) return formError(res, 'No such user.', '/sandbox/devices');
    const level = Number(form.get('batteryLevel') ?? 80);
    const batteryLevel = Number.isInteger(level) && level >= 0 && level <= 100 ? level : 80;
    user.devices.push({
      name: `users/${user.id}/pairedDevices/${deviceId(user)}`,
      deviceType: form.get('deviceType') === 'SCALE' ? 'SCALE' : 'TRACKER',
      batteryStatus: statusForLevel(batteryLevel),
      batteryLevel,
      lastSyncTime: rfc3339(ctx.now()),
      deviceVersion: (form.get('deviceVersion') ?? '').trim().slice(0, 60) || 'Charge 6',
      macAddress: 'AABBCCDDEEFF',
      features: ['STEPS'],
    });
    ctx.store.changed();
    redirect(res, `/sandbox/devices#${anchor(user.id)}`, 303);
  });
  router.on('POST', '/sandbox/devices/tokens', async (req, res) => {
    const form = await readForm(req);
    const user = getUser(ctx, form.get('user') ?? '');
    if (!user) return formError(res, 'No such user.', '/sandbox/devices');
    if (form.get('action') === 'revoke') revokeAll(ctx, user);
    else expireTokens(ctx, user);
    redirect(res, `/sandbox/devices#${anchor(user.id)}`, 303);
  });
  router.on('POST', '/sandbox/devices/legacy', async (req, res) => {
    ctx.store.data.legacyRetired = (await readForm(req)).get('retired') === '1';
    ctx.store.changed();
    redirect(res, '/sandbox', 303);
  });
}

/** One text as a bubble; the hidden prefix tells a screen reader who sent it. */
function bubble(m: { direction: 'in' | 'out'; body: string; at: string }) {
  const inbound = m.direction === 'in';
  return html`<li class="bubble ${inbound ? 'in' : 'out'}"><span class="visually-hidden">${inbound ? 'Phone: ' : 'Service: '}</span>${m.body}<time datetime="${m.at}">${m.at.slice(11, 16)} UTC</time></li>`;
}

function phonePage(ctx: Ctx): string {
  const phones = ctx.phones.list();
  const threads = phones.map(
    (
      p,
    ) => html`<section class="card conversation" id="${anchor(p.phone)}" aria-labelledby="${anchor(p.phone)}-title">
<h2 id="${anchor(p.phone)}-title">${p.phone} ${p.optedOut ? html`<span class="badge">opted out</span>` : ''}</h2>
<ol class="thread" data-phone="${p.phone}" data-count="${p.messages}" tabindex="0" aria-live="polite" aria-label="Texts with ${p.phone}">
${ctx.phones.messages(p.phone).map(bubble)}
</ol>
<form method="post" action="/sandbox/phone/send" class="reply">
<input type="hidden" name="from" value="${p.phone}">
<input type="text" name="body" placeholder="Text as ${p.phone}" autocomplete="off" aria-label="Reply as ${p.phone}">
<button type="submit">Send</button></form>
<form method="post" action="/sandbox/phone/clear" class="actions"><input type="hidden" name="phone" value="${p.phone}">
<button type="submit" class="secondary small">Clear conversation</button></form>
</section>`,
  );
  const body = html`<h1>Phones</h1>
<p class="muted">Texts the service sent, and replies, as each phone sees them. New texts appear by themselves.</p>
<div id="threads">
${threads.length ? threads : html`<p class="muted" id="no-texts">No texts yet. Sign up on the app and the first one shows up here.</p>`}
</div>
<section class="card"><h2>Text the service from another number</h2>
<form method="post" action="/sandbox/phone/send">
<label for="from">From number</label>
<input type="tel" id="from" name="from" placeholder="+12025550123" pattern="\\+[1-9][0-9]{6,14}" required>
<label for="message">Message to ${ctx.opts.serviceNumber}</label>
<div class="reply"><input type="text" id="message" name="body" placeholder="HELP" required>
<button type="submit">Send</button></div></form></section>`;
  return page('Phones', body, 'phone.js');
}

function userCard(user: User) {
  return html`<section class="card" id="${anchor(user.id)}" aria-labelledby="${anchor(user.id)}-title">
<h2 id="${anchor(user.id)}-title">${user.id}</h2>
<p class="muted">Time zone ${user.timeZone} · legacy id ${user.legacyUserId} · refreshes: Google ${user.counters.tokenRefreshes.google}, Fitbit ${user.counters.tokenRefreshes.fitbit}</p>
${user.devices.map((d) => {
  const id = anchor(d.name);
  return html`<form method="post" action="/sandbox/devices/update" class="device" data-user="${user.id}">
<input type="hidden" name="user" value="${user.id}"><input type="hidden" name="device" value="${d.name}">
<div><strong>${d.deviceVersion ?? 'Device'}</strong> <span class="muted">${d.deviceType ?? ''} · ${d.name.split('/').pop()} · synced <span class="synced">${d.lastSyncTime ?? 'never'}</span></span></div>
<label for="${id}-level">Battery level <output class="level" for="${id}-level">${d.batteryLevel ?? '?'}%</output></label>
<input type="range" id="${id}-level" name="batteryLevel" min="0" max="100" value="${d.batteryLevel ?? 0}">
<label for="${id}-status">Status</label>
<select id="${id}-status" name="batteryStatus">
<option value="auto">From the level</option>
${BATTERY_STATUSES.map((s) => html`<option value="${s}"${d.batteryStatus === s ? html` selected` : ''}>${s}</option>`)}
</select>
<label class="check"><input type="checkbox" name="syncNow" value="1" checked> Synced now</label>
<div class="actions"><span class="saved muted" role="status"></span><button type="submit" name="action" value="remove" class="secondary">Remove</button>
<button type="submit" name="action" value="save" class="save">Save</button></div>
</form>`;
})}
<form method="post" action="/sandbox/devices/add" class="device">
<input type="hidden" name="user" value="${user.id}">
<label for="${anchor(user.id)}-model">New device model</label>
<div class="reply"><input type="text" id="${anchor(user.id)}-model" name="deviceVersion" placeholder="Charge 6">
<select name="deviceType" aria-label="Device type"><option>TRACKER</option><option>SCALE</option></select></div>
<div class="actions"><button type="submit">Add device</button></div></form>
<form method="post" action="/sandbox/devices/tokens" class="actions device"><input type="hidden" name="user" value="${user.id}">
<button type="submit" name="action" value="expire" class="secondary">Expire tokens</button>
<button type="submit" name="action" value="revoke" class="secondary">Revoke access</button></form>
</section>`;
}

function devicesPage(ctx: Ctx): string {
  const users = Object.values(ctx.store.data.users);
  const body = html`<h1>Devices</h1>
<p class="muted">Move a slider or pick a status: the change is saved at once and the service sees it on its next look.</p>
${users.length ? users.map(userCard) : html`<p class="muted">No users yet: sign in through the app or create one below.</p>`}
<section class="card"><h2>New user</h2>
<form method="post" action="/sandbox/devices/user">
<label for="new-id">User id</label>
<input type="text" id="new-id" name="id" placeholder="alice" pattern="[A-Za-z0-9-]{1,63}" required>
<label for="new-tz">Time zone (optional)</label>
<input type="text" id="new-tz" name="timeZone" placeholder="America/New_York">
<div class="actions"><button type="submit">Create user</button></div></form></section>`;
  return page('Devices', body, 'devices.js');
}

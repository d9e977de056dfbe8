/**
 * The sandbox's only stylesheet and scripts, served from /sandbox/static/. Kept as strings so the
 * sandbox runs the same under tsx, jest and a bundler without resolving asset paths. Every page works
 * without them: forms are plain POSTs; the scripts only save without a reload and follow live texts.
 */

export const SANDBOX_CSS = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#f3f4f6;color:#111;overflow-wrap:break-word}
a{color:#1a56db}
.bar{display:flex;justify-content:space-between;align-items:center;flex-wrap:wrap;padding:0 1rem;background:#111827}
.bar a{display:inline-flex;align-items:center;min-height:44px;color:#fff;text-decoration:none;margin-left:.8rem}
.bar>a{margin-left:0;font-weight:700}
main{max-width:46rem;margin:0 auto;padding:1rem}
h1{font-size:1.4rem;margin:.3rem 0 .6rem}
h2{font-size:1.1rem;margin:0 0 .6rem}
p{margin:0 0 .8rem}
.card{background:#fff;border-radius:.8rem;padding:1rem;margin-bottom:1rem;box-shadow:0 1px 3px rgba(0,0,0,.12)}
.muted{color:#4b5563;font-size:.9rem}
label{display:block;font-weight:600;margin:.6rem 0 .25rem}
.row,label.check{display:flex;align-items:center;gap:.6rem;min-height:44px;margin:0;font-weight:400;flex-wrap:nowrap}
.row code{flex:1;min-width:0}
fieldset{border:1px solid #d1d5db;border-radius:.6rem;margin:0 0 1rem;padding:.4rem .8rem .8rem}
legend{font-weight:700;padding:0 .3rem}
input[type=text],input[type=tel],select,textarea{font:inherit;min-height:44px;padding:.5rem .6rem;border:1px solid #6b7280;border-radius:.5rem;width:100%;background:#fff;color:#111}
input[type=radio],input[type=checkbox]{width:1.35rem;height:1.35rem;margin:0;flex:none;accent-color:#1a56db}
input[type=range]{width:100%;height:44px;margin:0;accent-color:#1a56db}
:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
button{font:inherit;font-weight:600;min-height:44px;padding:.5rem 1.1rem;border:0;border-radius:.5rem;background:#1a56db;color:#fff;cursor:pointer}
button:hover{background:#1e40af}
button.secondary{background:#e5e7eb;color:#111}
button.secondary:hover{background:#d1d5db}
button.small{font-size:.9rem;font-weight:400}
.actions{display:flex;gap:.5rem;justify-content:flex-end;align-items:center;flex-wrap:wrap;margin-top:.6rem}
.actions .saved{margin-right:auto}
code{font-size:.85rem;word-break:break-all}
.thread{list-style:none;margin:0 0 .8rem;padding:.6rem;display:flex;flex-direction:column;gap:.45rem;max-height:60vh;overflow-y:auto;background:#f9fafb;border-radius:.6rem}
.bubble{max-width:80%;padding:.5rem .8rem;border-radius:1.1rem;white-space:pre-wrap;word-wrap:break-word}
.bubble time{display:block;font-size:.75rem;margin-top:.2rem}
.bubble.out{align-self:flex-start;background:#e5e7eb;border-bottom-left-radius:.3rem}
.bubble.out time{color:#374151}
.bubble.in{align-self:flex-end;background:#1a56db;color:#fff;border-bottom-right-radius:.3rem}
.bubble.in time{color:#e0e7ff;text-align:right}
.reply{display:flex;gap:.5rem;align-items:center}
.reply input[type=text]{flex:1;min-width:0}
.reply select{width:auto}
.conversation>.actions{margin-top:.5rem}
.badge{display:inline-block;margin-left:.4rem;font-size:.75rem;padding:.1rem .5rem;border-radius:1rem;background:#fee2e2;color:#991b1b;vertical-align:middle}
.device{border-top:1px solid #e5e7eb;padding-top:.6rem;margin-top:.8rem}
.level{float:right;font-variant-numeric:tabular-nums;font-weight:700}
.visually-hidden{position:absolute!important;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
[aria-busy=true] button{opacity:.6}
`;

/** Small enhancements shared by every sandbox page. */
export const SANDBOX_JS = `
(function () {
  // Consent screen: typing a new account id picks the "New account" choice.
  var newUser = document.querySelector('input[name="new_user"]');
  var newChoice = document.querySelector('input[type=radio][name="user"][value=""]');
  if (newUser && newChoice) {
    newUser.addEventListener('input', function () { if (newUser.value) newChoice.checked = true; });
    newUser.addEventListener('focus', function () { newChoice.checked = true; });
  }
})();
`;

/**
 * Follows every conversation without reloading: polls the JSON endpoints, adds bubbles and new
 * conversations, and sends replies with fetch (falling back to the plain form POST on failure).
 */
export const PHONE_JS = `
(function () {
  var counts = {};
  function threadOf(phone) {
    var lists = document.querySelectorAll('ol.thread');
    for (var i = 0; i < lists.length; i++) if (lists[i].getAttribute('data-phone') === phone) return lists[i];
    return null;
  }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function bubble(m) {
    var inbound = m.direction === 'in';
    var li = el('li', { class: 'bubble ' + (inbound ? 'in' : 'out') });
    li.appendChild(el('span', { class: 'visually-hidden' }, inbound ? 'Phone: ' : 'Service: '));
    li.appendChild(document.createTextNode(m.body));
    li.appendChild(localTime(el('time', { datetime: m.at })));
    return li;
  }
  /** Times in the page's own time zone, as a phone shows them (the server only knows UTC). */
  function localTime(time) {
    var at = new Date(time.getAttribute('datetime'));
    if (!isNaN(at.getTime())) {
      time.textContent = at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
      time.title = at.toLocaleString();
    }
    return time;
  }
  function render(list, messages) {
    var have = list.children.length;
    if (messages.length < have) { list.textContent = ''; have = 0; }
    for (var i = have; i < messages.length; i++) list.appendChild(bubble(messages[i]));
    list.setAttribute('data-count', String(messages.length));
    list.scrollTop = list.scrollHeight;
  }
  function refresh(phone) {
    return fetch('/sandbox/phones/' + encodeURIComponent(phone) + '/messages')
      .then(function (r) { return r.json(); })
      .then(function (messages) {
        var list = threadOf(phone) || addConversation(phone);
        counts[phone] = messages.length;
        render(list, messages);
      });
  }
  function anchor(value) { return 'p' + value.replace(/[^A-Za-z0-9-]/g, ''); }
  function addConversation(phone) {
    var empty = document.getElementById('no-texts');
    if (empty) empty.remove();
    var id = anchor(phone);
    var section = el('section', { class: 'card conversation', id: id, 'aria-labelledby': id + '-title' });
    section.appendChild(el('h2', { id: id + '-title' }, phone));
    var list = el('ol', { class: 'thread', 'data-phone': phone, 'data-count': '0', tabindex: '0',
      'aria-live': 'polite', 'aria-label': 'Texts with ' + phone });
    section.appendChild(list);
    var form = el('form', { method: 'post', action: '/sandbox/phone/send', class: 'reply' });
    form.appendChild(el('input', { type: 'hidden', name: 'from', value: phone }));
    form.appendChild(el('input', { type: 'text', name: 'body', placeholder: 'Text as ' + phone,
      autocomplete: 'off', 'aria-label': 'Reply as ' + phone }));
    form.appendChild(el('button', { type: 'submit' }, 'Send'));
    section.appendChild(form);
    enhance(form);
    var clear = el('form', { method: 'post', action: '/sandbox/phone/clear', class: 'actions' });
    clear.appendChild(el('input', { type: 'hidden', name: 'phone', value: phone }));
    clear.appendChild(el('button', { type: 'submit', class: 'secondary small' }, 'Clear conversation'));
    section.appendChild(clear);
    document.getElementById('threads').appendChild(section);
    return list;
  }
  function markOptOut(phone, optedOut) {
    var list = threadOf(phone);
    var title = list && list.parentNode.querySelector('h2');
    if (!title) return;
    var badge = title.querySelector('.badge');
    if (optedOut && !badge) title.appendChild(el('span', { class: 'badge' }, 'opted out'));
    if (!optedOut && badge) badge.remove();
  }
  function enhance(form) {
    form.addEventListener('submit', function (event) {
      var from = form.querySelector('[name=from]');
      var input = form.querySelector('[name=body]');
      if (!from || !input || !/^\\+[1-9][0-9]{6,14}$/.test(from.value.trim()) || input.value.trim() === '') return;
      event.preventDefault();
      var phone = from.value.trim();
      var body = input.value;
      form.setAttribute('aria-busy', 'true');
      fetch('/sandbox/phones/' + encodeURIComponent(phone) + '/messages', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ body: body })
      }).then(function (r) {
        if (!r.ok) throw new Error('HTTP ' + r.status);
        input.value = '';
        return refresh(phone).catch(function () {});
      }).catch(function () {
        form.submit();
      }).then(function () {
        form.removeAttribute('aria-busy');
      });
    });
  }
  function poll() {
    fetch('/sandbox/phones').then(function (r) { return r.json(); }).then(function (phones) {
      return Promise.all(phones.map(function (p) {
        markOptOut(p.phone, p.optedOut);
        if (counts[p.phone] === p.messages && threadOf(p.phone)) return null;
        return refresh(p.phone);
      }));
    }).catch(function () {}).then(function () { setTimeout(poll, 1000); });
  }
  document.querySelectorAll('ol.thread time').forEach(localTime);
  document.querySelectorAll('ol.thread').forEach(function (list) {
    counts[list.getAttribute('data-phone')] = Number(list.getAttribute('data-count'));
    list.scrollTop = list.scrollHeight;
  });
  document.querySelectorAll('form[action="/sandbox/phone/send"]').forEach(enhance);
  setTimeout(poll, 1000);
})();
`;

/**
 * Devices: the slider shows its value live; moving it saves the level (status follows the level),
 * picking a status saves that status; both without a reload. A failed save falls back to the form.
 */
export const DEVICES_JS = `
(function () {
  function refresh(form) {
    var user = form.getAttribute('data-user');
    var name = form.querySelector('[name=device]').value;
    return fetch('/sandbox/users/' + encodeURIComponent(user) + '/devices')
      .then(function (r) { return r.json(); })
      .then(function (devices) {
        var list = Array.isArray(devices) ? devices : devices.devices || [];
        var device = list.filter(function (d) { return d.name === name; })[0];
        if (!device) return;
        var select = form.querySelector('select[name=batteryStatus]');
        if (select && device.batteryStatus) select.value = device.batteryStatus;
        var synced = form.querySelector('.synced');
        if (synced && device.lastSyncTime) synced.textContent = device.lastSyncTime;
      });
  }
  function save(form) {
    var status = form.querySelector('.saved');
    var data = new URLSearchParams(new FormData(form));
    data.set('action', 'save');
    if (status) status.textContent = 'Saving…';
    form.setAttribute('aria-busy', 'true');
    // Not form.action: the form has a button named "action", which shadows the property.
    fetch(form.getAttribute('action'), { method: 'POST', body: data, redirect: 'manual' })
      .then(function (r) {
        if (r.type !== 'opaqueredirect' && !r.ok) throw new Error('HTTP ' + r.status);
        return refresh(form).catch(function () {});
      })
      .then(function () { if (status) status.textContent = 'Saved'; })
      .catch(function () { form.submit(); })
      .then(function () { form.removeAttribute('aria-busy'); });
  }
  document.querySelectorAll('form.device[data-user]').forEach(function (form) {
    var range = form.querySelector('input[type=range]');
    var out = form.querySelector('output');
    var select = form.querySelector('select[name=batteryStatus]');
    if (range && out) range.addEventListener('input', function () { out.textContent = range.value + '%'; });
    if (range) range.addEventListener('change', function () { if (select) select.value = 'auto'; save(form); });
    if (select) select.addEventListener('change', function () { save(form); });
    var save_ = form.querySelector('button.save');
    if (save_) save_.hidden = true;
  });
})();
`;

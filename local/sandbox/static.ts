/**
 * The sandbox's only stylesheet and scripts, served from /sandbox/static/. Kept as strings so the
 * sandbox runs the same under tsx, jest and a bundler without resolving asset paths.
 */

export const SANDBOX_CSS = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#f3f4f6;color:#111}
a{color:#1a56db}
.bar{display:flex;justify-content:space-between;align-items:center;padding:.6rem 1rem;background:#111827}
.bar a{color:#fff;text-decoration:none;margin-left:.8rem}
.bar>a{margin-left:0;font-weight:600}
main{max-width:46rem;margin:0 auto;padding:1rem}
h1{font-size:1.3rem;margin:.2rem 0 .8rem}
h2{font-size:1.1rem;margin:0 0 .5rem}
.card{background:#fff;border-radius:.8rem;padding:1rem;margin-bottom:1rem;box-shadow:0 1px 3px rgba(0,0,0,.1)}
.muted{color:#6b7280;font-size:.9rem}
.row{display:flex;align-items:center;gap:.5rem;padding:.3rem 0;flex-wrap:wrap}
fieldset{border:1px solid #e5e7eb;border-radius:.6rem;margin:0 0 1rem;padding:.6rem .8rem}
input[type=text],input[type=tel],select,textarea{font:inherit;padding:.5rem;border:1px solid #d1d5db;border-radius:.5rem;width:100%}
input[type=range]{flex:1;min-width:8rem}
button{font:inherit;padding:.5rem 1rem;border:0;border-radius:.5rem;background:#1a56db;color:#fff;cursor:pointer}
button.secondary{background:#e5e7eb;color:#111}
.actions{display:flex;gap:.5rem;justify-content:flex-end}
code{font-size:.85rem;word-break:break-all}
.thread{list-style:none;margin:0 0 .8rem;padding:0;display:flex;flex-direction:column;gap:.4rem;max-height:60vh;overflow-y:auto}
.bubble{max-width:80%;padding:.5rem .8rem;border-radius:1rem;white-space:pre-wrap;word-wrap:break-word}
.bubble time{display:block;font-size:.7rem;opacity:.7;margin-top:.2rem}
.bubble.out{align-self:flex-start;background:#e5e7eb}
.bubble.in{align-self:flex-end;background:#1a56db;color:#fff}
.reply{display:flex;gap:.5rem}
.reply input[type=text]{flex:1}
.badge{display:inline-block;font-size:.75rem;padding:.1rem .5rem;border-radius:1rem;background:#fee2e2;color:#991b1b}
.device{border-top:1px solid #e5e7eb;padding-top:.6rem;margin-top:.6rem}
.level{min-width:3rem;text-align:right}
`;

/** Polls the JSON endpoints so the phone page follows a conversation without reloading. */
export const PHONE_JS = `
(function () {
  var counts = {};
  document.querySelectorAll('[data-phone]').forEach(function (el) {
    counts[el.getAttribute('data-phone')] = Number(el.getAttribute('data-count'));
  });
  function render(list, messages) {
    list.textContent = '';
    messages.forEach(function (m) {
      var li = document.createElement('li');
      li.className = 'bubble ' + (m.direction === 'in' ? 'in' : 'out');
      li.textContent = m.body;
      var t = document.createElement('time');
      t.dateTime = m.at;
      t.textContent = new Date(m.at).toLocaleString();
      li.appendChild(t);
      list.appendChild(li);
    });
    list.scrollTop = list.scrollHeight;
  }
  function busy() {
    var a = document.activeElement;
    return a && a.tagName === 'INPUT' && a.value !== '';
  }
  function poll() {
    fetch('/sandbox/phones').then(function (r) { return r.json(); }).then(function (phones) {
      phones.forEach(function (p) {
        var list = document.querySelector('[data-phone="' + p.phone + '"]');
        if (!list) { if (!busy()) location.reload(); return; }
        if (counts[p.phone] === p.messages) return;
        counts[p.phone] = p.messages;
        fetch('/sandbox/phones/' + encodeURIComponent(p.phone) + '/messages')
          .then(function (r) { return r.json(); })
          .then(function (messages) { render(list, messages); });
      });
    }).catch(function () {}).then(function () { setTimeout(poll, 1000); });
  }
  document.querySelectorAll('.thread').forEach(function (l) { l.scrollTop = l.scrollHeight; });
  setTimeout(poll, 1000);
})();
`;

/** Shows the slider's value live and saves a device as soon as a control changes. */
export const DEVICES_JS = `
(function () {
  document.querySelectorAll('form.device').forEach(function (form) {
    var range = form.querySelector('input[type=range]');
    var out = form.querySelector('output');
    if (range && out) range.addEventListener('input', function () { out.textContent = range.value + '%'; });
    form.querySelectorAll('input[type=range],select,input[type=checkbox]').forEach(function (el) {
      el.addEventListener('change', function () { form.submit(); });
    });
    var save = form.querySelector('button.save');
    if (save) save.hidden = true;
  });
})();
`;

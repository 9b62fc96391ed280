// The console's only script: copy buttons, confirmations, and the Try login pop-up. No key or secret of the session is here.
(function () {
  'use strict';

  document.addEventListener('click', function (event) {
    var button = event.target.closest('button.copy');
    if (!button) return;
    var source = document.getElementById(button.dataset.copy);
    if (!source) return;
    var value = 'value' in source && source.tagName === 'INPUT' ? source.value : source.textContent;
    var done = function () { button.dataset.label = button.dataset.label || button.textContent; button.textContent = '✓'; setTimeout(function () { button.textContent = button.dataset.label; }, 1500); };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(value).then(done, function () { select(source); });
    else { select(source); try { document.execCommand('copy'); done(); } catch (e) { /* selected for the user to copy */ } }
  });

  function select(element) {
    if (element.select) { element.select(); return; }
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });

  // Try login: the form posts to the console (which opens the try-login through the admin API with the operator's key),
  // then the pop-up shows the hosted login page and this page asks the console for the result until it is there.
  var tryForm = document.getElementById('try-form');
  if (tryForm) {
    tryForm.addEventListener('submit', function (event) {
      event.preventDefault();
      var popup = window.open('about:blank', 'scanlogin-try', 'popup,width=480,height=720');
      var result = document.getElementById('try-result');
      result.textContent = '';
      fetch(tryForm.action || window.location.pathname + '?handler=TryLogin', {
        method: 'POST', body: new FormData(tryForm), credentials: 'same-origin', headers: { 'accept': 'application/json' }
      }).then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
        .then(function (answer) {
          if (!answer.ok) { if (popup) popup.close(); show(result, result.dataset.failed + ' ' + (answer.body.detail || answer.body.code || '')); return; }
          if (popup) popup.location.href = answer.body.authorizeUrl; else window.open(answer.body.authorizeUrl, 'scanlogin-try');
          show(result, result.dataset.waiting);
          poll(answer.body.statusUrl, result, popup);
        }, function () { if (popup) popup.close(); show(result, result.dataset.failed); });
    });
  }

  function show(element, text) { element.textContent = text; }

  function poll(url, result, popup) {
    fetch(url, { credentials: 'same-origin', headers: { 'accept': 'application/json' } })
      .then(function (r) { return r.json(); })
      .then(function (body) {
        if (body.status === 'pending') { setTimeout(function () { poll(url, result, popup); }, 1000); return; }
        if (popup && !popup.closed) popup.close();
        if (body.status !== 'signed_in') { show(result, result.dataset.failed + ' ' + (body.error || body.status)); return; }
        result.textContent = '';
        var heading = document.createElement('h3');
        heading.id = 'try-signed-in';
        heading.textContent = result.dataset.done + ': ' + (body.user && (body.user.nickname || body.user.username || body.user.id) || '');
        var pre = document.createElement('pre');
        pre.id = 'try-claims';
        pre.textContent = JSON.stringify({ user: body.user, idTokenClaims: body.claims }, null, 2);
        result.appendChild(heading);
        result.appendChild(pre);
        heading.tabIndex = -1;
        heading.focus();
      }, function () { setTimeout(function () { poll(url, result, popup); }, 2000); });
  }
})();

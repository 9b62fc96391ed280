// The hosted login page: follows its QR ticket over server-sent events (long-poll when those fail) and moves on once the
// phone confirms. No inline script: the data comes from the JSON block the server rendered.
(() => {
  'use strict';
  const data = JSON.parse(document.getElementById('login-data').textContent);
  const text = data.text;
  const page = document.getElementById('login');
  const status = document.getElementById('status');
  const qr = document.getElementById('qr');
  const veil = document.getElementById('veil');
  const refresh = document.getElementById('refresh');
  const scanner = document.getElementById('scanner');
  const nickname = document.getElementById('nickname');
  const bindCode = document.getElementById('bind-code');
  const qrBox = document.getElementById('qr-box');
  const binding = document.getElementById('binding');
  const bindError = document.getElementById('binding-error');

  let ticketId = data.ticketId;
  let version = 0;
  let follower = null;   // stops the current stream or poll loop
  let finished = false;
  // What the phone says its user is called: self-declared, never shown as verified (anyone can scan a displayed code).
  let declaredName = '';

  function show(state, message, offerRefresh) {
    page.dataset.state = state;
    status.textContent = message;
    veil.hidden = !offerRefresh;
    qr.classList.toggle('faded', offerRefresh);
    if (offerRefresh) refresh.focus();
  }

  function refusal(reason) {
    switch (reason) {
      case 'account_not_found': case 'account_creation_disabled': return ['account-not-found', text.accountNotFound];
      case 'user_blocked': case 'wechat_user_blocked': case 'account_blocked': return ['blocked', text.blocked];
      case 'binding_required': return ['binding-required', text.bindingRequired];
      default: return ['refused', text.refused];
    }
  }

  function apply(ticket) {
    if (ticket.ticketId !== ticketId || ticket.version < version || finished) return;
    version = ticket.version;
    if (ticket.status !== 'binding_required') { binding.hidden = true; qrBox.hidden = false; }
    switch (ticket.status) {
      case 'pending':
        scanner.hidden = true;
        show('pending', text.pending, false);
        break;
      case 'scanned': {
        const who = ticket.scanner && ticket.scanner.nickname;
        declaredName = who || '';
        nickname.textContent = who ? text.selfDeclared.replace('{0}', who) : '';
        scanner.hidden = !who;
        show('scanned', who ? text.scannedBy.replace('{0}', who) : text.scanned, false);
        break;
      }
      case 'binding_required':
        show('binding-required', text.bindingRequired, false);
        qrBox.hidden = true;
        offerBinding();
        break;
      case 'confirmed':
      case 'consumed':
        finished = true;
        stop();
        show('confirmed', text.confirmed, false);
        window.location.assign(data.completeUrl);
        break;
      case 'expired':
        stop();
        scanner.hidden = true;
        show('expired', text.expired, true);
        break;
      case 'cancelled':
        stop();
        show('cancelled', text.cancelled, true);
        break;
      case 'rejected': {
        stop();
        const [state, message] = refusal(ticket.reason);
        show(state, message, true);
        break;
      }
    }
  }

  function stop() {
    if (follower) { follower(); follower = null; }
  }

  function follow() {
    stop();
    if (data.transport !== 'poll' && 'EventSource' in window) streamEvents(); else longPoll();
  }

  function streamEvents() {
    const source = new EventSource('/api/tickets/' + encodeURIComponent(ticketId) + '/events');
    let opened = false;
    follower = () => source.close();
    source.addEventListener('open', () => { opened = true; });
    source.addEventListener('status', (e) => apply(JSON.parse(e.data)));
    source.addEventListener('error', () => {
      // A stream that never opened (a proxy that buffers, a blocked connection) falls back to long-polling.
      if (!opened || source.readyState === EventSource.CLOSED) { source.close(); if (!finished) longPoll(); }
    });
  }

  function longPoll() {
    const controller = new AbortController();
    let running = true;
    follower = () => { running = false; controller.abort(); };
    const id = ticketId;
    (async () => {
      let delay = 1000;
      while (running && id === ticketId) {
        try {
          const response = await fetch('/api/tickets/' + encodeURIComponent(id) + '/wait?version=' + version + '&timeout=25',
            { signal: controller.signal, cache: 'no-store' });
          if (response.status === 404) { show('failed', text.timedOut, false); return; }
          if (!response.ok) throw new Error(String(response.status));
          delay = 1000;
          apply(await response.json());
        } catch (e) {
          if (!running) return;
          await new Promise((resolve) => setTimeout(resolve, delay));
          delay = Math.min(delay * 2, 15000);
        }
      }
    })();
  }

  // Ask-binding: the phone approved a WeChat identity the pool does not know; this browser links it to an account.
  async function offerBinding() {
    try {
      const response = await fetch(data.bindingUrl, { headers: { 'X-Requested-With': 'scanlogin' }, cache: 'no-store' });
      if (!response.ok) return;
      const offer = await response.json();
      document.getElementById('bind-new').hidden = !offer.register;
      if (binding.hidden) { binding.hidden = false; bindCode.focus(); }
    } catch (e) { /* the stream will bring the next state */ }
  }

  async function bind(path, body, form) {
    bindError.textContent = '';
    const button = form.querySelector('button');
    button.disabled = true;
    try {
      body.bindingCode = bindCode.value.trim();
      const response = await fetch(data.bindingUrl + path, {
        method: 'POST', cache: 'no-store',
        headers: { 'X-Requested-With': 'scanlogin', 'content-type': 'application/json' }, body: JSON.stringify(body),
      });
      const answer = await response.json().catch(() => ({}));
      if (response.ok) { apply(answer); return; }
      switch (answer.code) {
        case 'invalid_credentials': case 'binding_code_invalid': {
          const offer = await fetch(data.bindingUrl, { headers: { 'X-Requested-With': 'scanlogin' }, cache: 'no-store' });
          const left = offer.ok ? (await offer.json()).attemptsLeft : '?';
          bindError.textContent = (answer.code === 'binding_code_invalid' ? text.bindingCodeWrong : text.bindingWrong).replace('{0}', left);
          if (answer.code === 'binding_code_invalid') bindCode.focus();
          break;
        }
        case 'account_locked': bindError.textContent = text.bindingLocked; break;
        case 'username_in_use': case 'email_in_use': bindError.textContent = text.bindingTaken; break;
        case 'validation_failed': bindError.textContent = text.bindingInvalid.replace('{0}', Object.values(answer.errors || {}).flat().join(' ')); break;
        default: bindError.textContent = answer.detail || text.failed;
      }
    } catch (e) {
      bindError.textContent = text.failed;
    } finally {
      button.disabled = false;
    }
  }

  document.getElementById('bind-existing').addEventListener('submit', (e) => {
    e.preventDefault();
    bind('/existing', { account: e.target.account.value.trim(), password: e.target.password.value }, e.target);
  });
  document.getElementById('bind-new').addEventListener('submit', (e) => {
    e.preventDefault();
    const username = e.target.username.value.trim();
    const password = e.target.password.value;
    bind('/new', { username: username || null, password: password || null, nickname: declaredName || null }, e.target);
  });

  refresh.addEventListener('click', async () => {
    refresh.disabled = true;
    try {
      const response = await fetch(data.renewUrl, { method: 'POST', headers: { 'X-Requested-With': 'scanlogin' }, cache: 'no-store' });
      if (!response.ok) { show('failed', response.status === 404 || response.status === 403 ? text.timedOut : text.failed, false); return; }
      const renewed = await response.json();
      ticketId = renewed.ticketId;
      offerWeChatLink(ticketId);
      version = 0;
      qr.src = renewed.qrImageUrl;
      scanner.hidden = true;
      apply(renewed.ticket);
      follow();
      qr.focus();
    } catch (e) {
      show('failed', text.failed, true);
    } finally {
      refresh.disabled = false;
    }
  });

  // Same phone: a code cannot be scanned by the phone showing it, so a WeChat link opens the mini program's confirm page
  // for this ticket instead. The page keeps following the ticket; back from WeChat, it picks the stream up again (a phone
  // browser may have dropped it while the page was hidden).
  const samePhone = document.getElementById('same-phone');
  async function offerWeChatLink(id) {
    if (!samePhone) return;
    samePhone.hidden = true;
    try {
      const response = await fetch('/api/tickets/' + encodeURIComponent(id) + '/open-in-wechat', { cache: 'no-store' });
      if (!response.ok || id !== ticketId) return;
      document.getElementById('open-in-wechat').href = (await response.json()).url;
      samePhone.hidden = false;
    } catch (e) { /* the code is still there to scan */ }
  }
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && !finished && ['pending', 'scanned', 'binding-required'].includes(page.dataset.state)) follow();
  });

  offerWeChatLink(ticketId);
  follow();
})();

// The phone simulator: the emulator's /__emulator endpoints give the WeChat side (users, wx.login codes),
// /__emulator/phone/* forwards the mini program's calls to ScanLogin.
(() => {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const result = $('result');
  let scanToken = null;
  const users = new Map();

  function say(message, isError) {
    result.textContent = message;
    result.className = isError ? 'error' : 'ok';
  }

  async function call(method, url, body) {
    const response = await fetch(url, {
      method,
      headers: body instanceof Blob ? { 'content-type': body.type || 'application/octet-stream' } : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : body instanceof Blob ? body : JSON.stringify(body),
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.detail || data.message || data.title || ('HTTP ' + response.status));
    return data;
  }

  async function loadApps() {
    const { appIds } = await call('GET', '/__emulator/mini-programs');
    $('app').replaceChildren(...appIds.map((id) => new Option(id, id)));
    await loadUsers();
  }

  async function loadUsers(selectOpenId) {
    const appId = $('app').value;
    const listed = (await call('GET', '/__emulator/users?appId=' + encodeURIComponent(appId))).users;
    users.clear();
    listed.forEach((u) => users.set(u.openId, u));
    $('user').replaceChildren(...listed.map((u) => new Option(`${u.nickname || '(no nickname)'} · ${u.phoneNumber || 'no phone'} · ${u.openId}`, u.openId)));
    if (selectOpenId) $('user').value = selectOpenId;
    // Opens the form when there is nobody to pick; never closes it under a developer who opened it.
    if (listed.length === 0) $('new-user-box').open = true;
  }

  $('app').addEventListener('change', () => loadUsers());

  $('create-user').addEventListener('click', async () => {
    try {
      const user = await call('POST', '/__emulator/users',
        { appId: $('app').value, nickname: $('new-nickname').value || null, phoneNumber: $('new-phone').value || null });
      await loadUsers(user.openId);
      say(`Created ${user.nickname || user.openId}.`);
    } catch (e) { say(e.message, true); }
  });

  $('qr-file').addEventListener('change', async () => {
    const file = $('qr-file').files[0];
    if (!file) return;
    try {
      const decoded = await call('POST', '/__emulator/phone/decode', file);
      $('ticket').value = decoded.ticketId || decoded.text;
      say(decoded.ticketId ? 'Read the ticket from the picture.' : 'The code does not carry a ticket: ' + decoded.text, !decoded.ticketId);
    } catch (e) { say(e.message, true); }
  });

  $('scan').addEventListener('click', async () => {
    const user = users.get($('user').value);
    try {
      const scanned = await call('POST', '/__emulator/phone/scan', {
        ticket: $('ticket').value, appId: $('app').value, openId: $('user').value,
        nickname: user ? user.nickname : null,
      });
      scanToken = scanned.scanToken;
      $('req-app').textContent = scanned.appName;
      $('req-via').textContent = viaText(scanned);
      $('binding-box').hidden = true;
      $('req-source').textContent = scanned.identitySourceName;
      $('req-ip').textContent = scanned.requesterIp || 'unknown';
      $('req-browser').textContent = scanned.requesterUserAgent || 'unknown';
      $('req-at').textContent = new Date(scanned.requestedAt).toLocaleString();
      $('approve').hidden = false;
      say('Scanned. Check who is asking, then confirm or cancel.');
      $('confirm').focus();
    } catch (e) { say(e.message, true); }
  });

  // Who made the ticket: a page of the application's site, its backend, or the pool's hosted login page (contract 2).
  function viaText(scanned) {
    switch (scanned.requestedVia) {
      case 'web': return 'a web page of ' + (scanned.requesterOrigin || 'an unknown site');
      case 'server': return "the application's server (the browser is not known)";
      case 'hosted_login': return 'the hosted login page, in the browser below';
      default: return scanned.requesterOrigin ? 'a web page of ' + scanned.requesterOrigin : 'unknown';
    }
  }

  async function finish(action) {
    try {
      const body = action === 'confirm'
        ? { ticket: $('ticket').value, scanToken, appId: $('app').value, openId: $('user').value, sharePhone: $('share-phone').checked }
        : { ticket: $('ticket').value, scanToken };
      const ticket = await call('POST', '/__emulator/phone/' + action, body);
      $('approve').hidden = true;
      if (ticket.bindingCode) {
        $('binding-code').textContent = ticket.bindingCode;
        $('binding-box').hidden = false;
        say('Type this code on your computer to link your WeChat: ' + ticket.bindingCode + '.');
        return;
      }
      say(ticket.status === 'rejected' ? `Refused by the user pool: ${ticket.reason}.` : `Done: the ticket is ${ticket.status}.`,
        ticket.status === 'rejected');
    } catch (e) { say(e.message, true); }
  }
  $('confirm').addEventListener('click', () => finish('confirm'));
  $('cancel').addEventListener('click', () => finish('cancel'));

  const fromQuery = new URLSearchParams(location.search).get('ticket');
  if (fromQuery) $('ticket').value = fromQuery;
  // data-ready tells a driving test (or a curious developer) that apps and users are in place.
  loadApps().then(() => { document.body.dataset.ready = 'true'; }, (e) => say(e.message, true));
})();

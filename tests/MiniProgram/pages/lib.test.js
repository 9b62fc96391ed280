// The confirm page's pure parts: where the ticket id is, the user agent in words, what each failure code shows.
const fs = require('fs');
const path = require('path');
const { root } = require('./harness');
const { ticketIdFromQuery, ticketIdFromScan } = require(path.join(root, 'lib/ticketLink.js'));
const { describeUserAgent } = require(path.join(root, 'lib/userAgent.js'));
const { fromFailure, fromTicket } = require(path.join(root, 'lib/outcomes.js'));

const TICKET = 'AbCdEfGhIjKlMnOpQrSt_-';

test.each([
  [{ scene: encodeURIComponent(TICKET) }, TICKET],
  [{ q: encodeURIComponent(`https://mp.scanlogin.example/s/${TICKET}`) }, TICKET],
  [{ q: encodeURIComponent(`https://mp.scanlogin.example/s/${TICKET}/`) }, TICKET],
  [{ q: encodeURIComponent(`http://login.example/prefix/${TICKET}?from=qr`) }, TICKET],
  [{ ticket: TICKET }, TICKET],
  [{ ticket: encodeURIComponent(`https://mp.scanlogin.example/s/${TICKET}`) }, TICKET],
  [{ scene: 'short' }, null],
  [{ scene: '%E0%A4%A' }, null],
  [{ q: encodeURIComponent('https://mp.scanlogin.example/s/') }, null],
  [{ q: encodeURIComponent(`https://evil.example/${TICKET}x`) }, null],
  [{ ticket: `${TICKET}<` }, null],
  [{}, null],
])('the ticket id of query %o is %s', (query, expected) => {
  expect(ticketIdFromQuery(query)).toBe(expected);
});

test('a scanned code: the scene of a mini-program code path, or the ticket id ending a link', () => {
  expect(ticketIdFromScan({ path: `pages/confirm/confirm?scene=${TICKET}` })).toBe(TICKET);
  expect(ticketIdFromScan({ result: `https://mp.scanlogin.example/s/${TICKET}` })).toBe(TICKET);
  expect(ticketIdFromScan({ result: 'hello' })).toBeNull();
});

test.each([
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36', 'Chrome 120', 'Windows'],
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91', 'Edge 120', 'Windows'],
  ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15', 'Safari 17', 'macOS'],
  ['Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0', 'Firefox 121', 'Linux'],
  ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.44(0x18002c2d) NetType/WIFI Language/zh_CN', 'WeChat 8', 'iOS 17'],
  ['Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36', 'Chrome 120', 'Android 14'],
  ['curl/8.5.0', null, null],
])('user agent %s is %s on %s', (ua, browser, system) => {
  expect(describeUserAgent(ua)).toEqual({ browser, system });
});

test('every failure code the API can answer leads to a view, and only passing troubles offer a retry', () => {
  const source = fs.readFileSync(path.resolve(__dirname, '../../../src/Grains.Interfaces/FailureCodes.cs'), 'utf8');
  const codes = [...source.matchAll(/const string \w+ = "([a-z_]+)"/g)].map(m => m[1]);
  expect(codes.length).toBeGreaterThan(30);
  const retryable = new Set(['wechat_code_invalid', 'wechat_code_used', 'wechat_rate_limited', 'rate_limited', 'too_many_attempts',
    'wechat_unavailable', 'accounts_unavailable', 'phone_number_mismatch']);
  for (const code of codes) {
    const outcome = fromFailure({ status: 400, data: { code } }, 'scan');
    expect([code, ['signed_in', 'cancelled', 'expired', 'used', 'binding', 'refused', 'failed'].includes(outcome.view)]).toEqual([code, true]);
    expect([code, !!outcome.retry]).toEqual([code, retryable.has(code)]);
  }
});

test('after a scan, a retry goes back to the question rather than scanning again', () => {
  expect(fromFailure({ status: 503, data: { code: 'wechat_unavailable' } }, 'move').retry).toBe('ask');
  expect(fromFailure({ status: 0, data: null }, 'move').retry).toBe('ask');
  expect(fromFailure({ status: 0, data: null }, 'scan').retry).toBe('scan');
});

test('a rejected ticket is final: no retry, whatever its reason', () => {
  expect(fromTicket({ ticketId: TICKET, status: 'rejected', version: 3, reason: 'identity_source_disabled' })).toEqual({ view: 'failed', message: 'sourceOff', retry: null });
  expect(fromTicket({ ticketId: TICKET, status: 'rejected', version: 3, reason: 'something_new' })).toEqual({ view: 'failed', message: 'refusedOther', retry: null });
  expect(fromTicket({ ticketId: TICKET, status: 'rejected', version: 3, reason: 'user_blocked' })).toEqual({ view: 'refused', message: 'blocked', retry: null });
});

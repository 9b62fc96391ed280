// @ts-check
// ScanLogin's HTTP API as the pages use it: every call answers { status, data } and never throws; status 0 means no
// answer came back (offline, timeout, a domain the admin console does not list).
const config = require('../config.js');

/**
 * @param {string} url
 * @param {object} [body] a JSON body (POST), or none (GET)
 * @param {number} [timeout] milliseconds
 * @returns {Promise<import('./types').HttpAnswer>}
 */
function call(url, body, timeout = 15000) {
  return new Promise(resolve => {
    wx.request({
      url,
      method: body ? 'POST' : 'GET',
      data: body,
      header: body ? { 'content-type': 'application/json' } : {},
      dataType: 'json',
      timeout,
      success: res => resolve({ status: res.statusCode, data: res.data }),
      fail: () => resolve({ status: 0, data: null }),
    });
  });
}

/** @param {string} path */
function scanLogin(path) {
  return config.baseUrl.replace(/\/+$/, '') + path;
}

/**
 * A one-time login code: from wx.login, or in development from the WeChat emulator (config.devEmulator).
 * @returns {Promise<string | null>}
 */
function loginCode() {
  const dev = config.devEmulator;
  if (dev) {
    return call(dev.url.replace(/\/+$/, '') + '/__emulator/login-code', { appId: dev.appId, openId: dev.openId })
      .then(answer => (answer.status === 200 && answer.data && answer.data.code) || null);
  }
  return new Promise(resolve => {
    wx.login({
      success: res => resolve(res.code || null),
      fail: () => resolve(null),
    });
  });
}

/** @param {string} ticketId */
function ticketPath(ticketId) {
  return '/api/mini-program/tickets/' + encodeURIComponent(ticketId);
}

module.exports = {
  loginCode,
  /** @param {string} ticketId @param {string} loginCode */
  scan: (ticketId, loginCode) => call(scanLogin(ticketPath(ticketId) + '/scan'), { loginCode }),
  /** @param {string} ticketId @param {string} scanToken @param {string | null} phoneCode */
  confirm: (ticketId, scanToken, phoneCode) =>
    call(scanLogin(ticketPath(ticketId) + '/confirm'), phoneCode ? { scanToken, phoneCode } : { scanToken }),
  /** @param {string} ticketId @param {string} scanToken */
  cancel: (ticketId, scanToken) => call(scanLogin(ticketPath(ticketId) + '/cancel'), { scanToken }),
  /** The ticket's status as anyone holding its id sees it (GET /api/tickets/{id}). @param {string} ticketId */
  status: ticketId => call(scanLogin('/api/tickets/' + encodeURIComponent(ticketId))),
  /**
   * The status once its version passes `version`, or unchanged after 25 s (long-poll).
   * @param {string} ticketId @param {number} version
   */
  wait: (ticketId, version) =>
    call(scanLogin('/api/tickets/' + encodeURIComponent(ticketId) + '/wait?version=' + version + '&timeout=25'), undefined, 35000),
  /** @param {{ poolId: string, identitySource: string, appId: string, loginCode: string, phoneCode?: string }} body */
  login: body => call(scanLogin('/api/mini-program/login'), body),
};

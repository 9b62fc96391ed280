// wx for the end-to-end run: wx.request is real HTTP (node's http module), wx.login asks the WeChat emulator for a login
// code of one of its users (what WeChat would give that user's phone), the rest is inert.
const http = require('http');
const { Buffer } = require('buffer');

function request(options) {
  const url = new URL(options.url);
  const body = options.data === undefined ? '' : JSON.stringify(options.data);
  const req = http.request(url, {
    method: options.method || 'GET',
    headers: Object.assign({ 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, options.header || {}),
    timeout: options.timeout || 15000,
  }, res => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', chunk => { text += chunk; });
    res.on('end', () => {
      let data = text;
      try { data = JSON.parse(text); } catch (e) { /* not JSON: WeChat passes the text as is */ }
      options.success && options.success({ statusCode: res.statusCode, data, header: res.headers, errMsg: 'request:ok' });
    });
  });
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', error => options.fail && options.fail({ errMsg: 'request:fail ' + error.message }));
  req.end(body);
}

/** @param {{ emulatorUrl: string, wechatAppId: string, openId: string, language?: string }} phone */
function realWx(phone) {
  const logins = [];
  /** @type {string[]} every request the page made, as "METHOD path" */
  const requests = [];
  return {
    logins,
    requests,
    request(options) {
      requests.push(`${options.method || 'GET'} ${new URL(options.url).pathname}`);
      request(options);
    },
    login(options) {
      request({
        url: phone.emulatorUrl.replace(/\/+$/, '') + '/__emulator/login-code',
        method: 'POST',
        data: { appId: phone.wechatAppId, openId: phone.openId },
        success: res => {
          logins.push(res.statusCode);
          if (res.statusCode === 200 && res.data && res.data.code) options.success({ code: res.data.code, errMsg: 'login:ok' });
          else options.fail({ errMsg: 'login:fail ' + res.statusCode });
        },
        fail: options.fail,
      });
    },
    getAppBaseInfo: () => ({ language: phone.language || 'en' }),
    getSystemInfoSync: () => ({ language: phone.language || 'en' }),
    setNavigationBarTitle() {},
    scanCode() { throw new Error('not in the end-to-end run'); },
  };
}

module.exports = { realWx };

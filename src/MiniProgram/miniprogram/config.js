// @ts-check
// The one file a deployer edits (besides project.config.json's appid).
/** @type {import('./lib/types').MiniProgramConfig} */
module.exports = {
  // ScanLogin's front end. Published mini programs need HTTPS on a domain listed as a "request domain" in the admin console.
  baseUrl: 'http://127.0.0.1:5000',
  // Offer "share my phone number": only verified mini programs of organisations may use WeChat's phone-number button,
  // and each use is charged. Confirming without it always works.
  offerPhoneNumber: true,
  // The login page (pages/login/login): the pool, identity source and application it signs in to.
  login: { poolId: 'demo', identitySource: 'wechat-scan', appId: 'demo-app' },
  // Development only, against deploy/run.sh: ask the WeChat emulator for login codes of one of its users instead of
  // wx.login (whose codes only the real WeChat knows). Leave null in a published mini program.
  devEmulator: null,
};

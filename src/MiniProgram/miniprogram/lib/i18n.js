// @ts-check
// Chinese or English, from WeChat's language. Every text a page shows is here, in both.

const en = {
  title: 'Confirm login',
  loading: 'Checking the code…',
  noTicket: 'This page opens from the QR code on a login page. Scan the code shown on your computer.',
  scan: 'Scan a code',
  asking: 'wants you to log in',
  with: 'with',
  from: 'Requested from',
  viaServer: "the application's server",
  viaHostedLogin: 'the hosted login page',
  browser: 'Browser',
  unknownBrowser: 'an unknown browser',
  on: 'on',
  ip: 'IP address',
  when: 'When',
  warning: 'Only confirm if you are logging in on this computer right now.',
  confirm: 'Confirm login',
  confirmWithPhone: 'Share my phone number and confirm',
  cancel: 'Cancel',
  working: 'Just a moment…',
  signedIn: 'You are signed in on your computer.',
  signedInHint: 'You can close this page.',
  phoneSkipped: 'Your phone number was not shared.',
  cancelled: 'Login cancelled. Nobody was signed in.',
  expired: 'This code has expired.',
  expiredHint: 'Refresh the code on your computer and scan it again.',
  used: 'This code has already been used.',
  usedHint: 'If that was not you, refresh the code on your computer and scan again.',
  binding: 'One more step on your computer',
  bindingHint: 'Type this code on your computer to link your WeChat:',
  bindingNoCode: 'Finish linking your WeChat on your computer.',
  bindingWaiting: 'This page moves on by itself when your computer is done.',
  close: 'Close',
  retry: 'Try again',
  retryAfter: 'Try again in {0} s',
  refused: {
    noAccount: 'No account on this site is linked to your WeChat, and this site does not create new accounts. Log in another way on your computer, or ask the site for an account.',
    blocked: 'Your account on this site is blocked. Contact the site if you think this is a mistake.',
    wechatBlocked: 'WeChat does not allow this account to log in here right now.',
    phoneInUse: 'That phone number already belongs to another account on this site.',
    alreadyBound: 'Your WeChat is already linked to another account on this site.',
    refusedOther: 'This site did not accept the login.',
  },
  failed: {
    offline: 'Could not reach the login service. Check your connection.',
    unavailable: 'The login service is busy or unavailable for a moment.',
    busy: 'Too many attempts. Wait a little before trying again.',
    wechatCode: 'WeChat could not confirm who you are.',
    phoneMismatch: 'WeChat gave a phone number for another mini program. Confirm without sharing it.',
    sourceOff: 'This way of logging in is turned off for the site. Log in another way on your computer.',
    misconfigured: 'This login is not set up correctly. Tell the site’s administrator.',
    unexpected: 'Something went wrong with this login. Refresh the code on your computer and scan again.',
    refusedOther: 'This site did not accept the login.',
  },
  login: {
    title: 'Log in',
    intro: 'Log in with your WeChat to the same account you use on the website.',
    button: 'Log in with WeChat',
    withPhone: 'Log in with my phone number',
    signedIn: 'Signed in as {0}',
    signOut: 'Sign out',
    binding: 'Your WeChat is not linked to an account on this site yet. Log in once on the website by scanning its code, and link it to your account there.',
    bindingRegister: 'Your WeChat is not linked to an account on this site yet. Log in once on the website by scanning its code, and link it to your account or create one there.',
  },
};

/** @type {typeof en} */
const zh = {
  title: '确认登录',
  loading: '正在检查二维码…',
  noTicket: '请扫描电脑登录页面上的二维码打开此页面。',
  scan: '扫一扫',
  asking: '请求你登录',
  with: '登录方式：',
  from: '请求来源',
  viaServer: '应用的服务器',
  viaHostedLogin: '统一登录页面',
  browser: '浏览器',
  unknownBrowser: '未知浏览器',
  on: '，',
  ip: 'IP 地址',
  when: '时间',
  warning: '仅在你本人此刻正在这台电脑上登录时确认。',
  confirm: '确认登录',
  confirmWithPhone: '共享手机号并确认',
  cancel: '取消',
  working: '请稍候…',
  signedIn: '电脑端已登录。',
  signedInHint: '你可以关闭此页面。',
  phoneSkipped: '未共享你的手机号。',
  cancelled: '已取消登录，没有人登录。',
  expired: '二维码已过期。',
  expiredHint: '请在电脑上刷新二维码后重新扫描。',
  used: '二维码已被使用。',
  usedHint: '如果不是你本人操作，请在电脑上刷新二维码后重新扫描。',
  binding: '请在电脑上完成最后一步',
  bindingHint: '在电脑上输入此验证码以关联你的微信：',
  bindingNoCode: '请在电脑上完成微信关联。',
  bindingWaiting: '电脑端完成后，此页面会自动更新。',
  close: '关闭',
  retry: '重试',
  retryAfter: '{0} 秒后重试',
  refused: {
    noAccount: '你的微信没有关联此网站的账号，且此网站不开放注册。请在电脑上用其他方式登录，或联系网站开通账号。',
    blocked: '你在此网站的账号已被停用。如有疑问请联系网站。',
    wechatBlocked: '微信暂不允许此账号在这里登录。',
    phoneInUse: '此手机号已属于此网站的另一个账号。',
    alreadyBound: '你的微信已关联此网站的另一个账号。',
    refusedOther: '此网站未接受本次登录。',
  },
  failed: {
    offline: '无法连接登录服务，请检查网络。',
    unavailable: '登录服务繁忙或暂时不可用。',
    busy: '尝试次数过多，请稍后再试。',
    wechatCode: '微信未能确认你的身份。',
    phoneMismatch: '微信返回的手机号属于另一个小程序，请不共享手机号直接确认。',
    sourceOff: '此网站已关闭这种登录方式，请在电脑上用其他方式登录。',
    misconfigured: '登录配置有误，请告知网站管理员。',
    unexpected: '本次登录出现问题，请在电脑上刷新二维码后重新扫描。',
    refusedOther: '此网站未接受本次登录。',
  },
  login: {
    title: '登录',
    intro: '使用微信登录你在网站上使用的同一个账号。',
    button: '微信登录',
    withPhone: '使用手机号登录',
    signedIn: '已登录：{0}',
    signOut: '退出登录',
    binding: '你的微信尚未关联此网站的账号。请先在网站上扫码登录一次，并在那里关联你的账号。',
    bindingRegister: '你的微信尚未关联此网站的账号。请先在网站上扫码登录一次，并在那里关联已有账号或创建新账号。',
  },
};

/**
 * 'zh' when WeChat speaks Chinese, else 'en'.
 * @returns {'zh' | 'en'}
 */
function language() {
  let lang = '';
  try {
    lang = typeof wx.getAppBaseInfo === 'function' ? wx.getAppBaseInfo().language : wx.getSystemInfoSync().language;
  } catch (e) {
    lang = '';
  }
  return /^zh/i.test(lang || '') ? 'zh' : 'en';
}

/** @param {'zh' | 'en'} lang */
function texts(lang) {
  return lang === 'zh' ? zh : en;
}

/**
 * @param {string} template
 * @param {...(string | number)} values
 */
function format(template, ...values) {
  return template.replace(/\{(\d+)\}/g, (_, i) => String(values[Number(i)]));
}

/** @param {number} n */
const two = n => (n < 10 ? '0' : '') + n;

/**
 * A moment in the phone's time zone: "14:03:05" today, "2026-12-07 14:03" another day.
 * @param {string} iso
 * @param {Date} now
 */
function formatWhen(iso, now) {
  const at = new Date(iso);
  if (isNaN(at.getTime())) return '';
  const time = two(at.getHours()) + ':' + two(at.getMinutes());
  const sameDay = at.getFullYear() === now.getFullYear() && at.getMonth() === now.getMonth() && at.getDate() === now.getDate();
  return sameDay ? time + ':' + two(at.getSeconds()) : at.getFullYear() + '-' + two(at.getMonth() + 1) + '-' + two(at.getDate()) + ' ' + time;
}

module.exports = { language, texts, format, formatWhen };

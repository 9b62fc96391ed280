// @ts-check
// The requesting browser and operating system in words, from its user agent. Order matters: most browsers also
// claim to be Chrome or Safari, so the specific ones are looked for first.

/** @type {Array<[RegExp, string]>} */
const BROWSERS = [
  [/MicroMessenger\/([\d.]+)/, 'WeChat'],
  [/\bEdgA?\/([\d.]+)/, 'Edge'],
  [/\bOPR\/([\d.]+)/, 'Opera'],
  [/\bSamsungBrowser\/([\d.]+)/, 'Samsung Internet'],
  [/\bQQBrowser\/([\d.]+)/, 'QQ Browser'],
  [/\bUCBrowser\/([\d.]+)/, 'UC Browser'],
  [/\b(?:Firefox|FxiOS)\/([\d.]+)/, 'Firefox'],
  [/\b(?:Chrome|CriOS)\/([\d.]+)/, 'Chrome'],
  [/\bVersion\/([\d.]+).*Safari\//, 'Safari'],
  [/\bMSIE ([\d.]+)|Trident\/.*rv:([\d.]+)/, 'Internet Explorer'],
];

/** @type {Array<[RegExp, string | ((m: RegExpMatchArray) => string)]>} */
const SYSTEMS = [
  [/Windows NT 10\.0/, 'Windows'],
  [/Windows NT 6\.3/, 'Windows 8.1'],
  [/Windows NT 6\.2/, 'Windows 8'],
  [/Windows NT 6\.1/, 'Windows 7'],
  [/Windows/, 'Windows'],
  [/iPhone OS ([\d_]+)/, m => 'iOS ' + m[1].split('_')[0]],
  [/iPad.*OS ([\d_]+)/, m => 'iPadOS ' + m[1].split('_')[0]],
  [/Android ([\d.]+)/, m => 'Android ' + m[1].split('.')[0]],
  [/CrOS/, 'ChromeOS'],
  [/Mac OS X/, 'macOS'],
  [/HarmonyOS/, 'HarmonyOS'],
  [/Linux/, 'Linux'],
];

/**
 * The browser ("Chrome 120") and system ("Windows"), each null when the user agent does not say.
 * @param {string | null | undefined} userAgent
 * @returns {{ browser: string | null, system: string | null }}
 */
function describeUserAgent(userAgent) {
  if (!userAgent) return { browser: null, system: null };
  let browser = null;
  for (const [pattern, name] of BROWSERS) {
    const m = userAgent.match(pattern);
    if (m) {
      const version = (m[1] || m[2] || '').split('.')[0];
      browser = version ? name + ' ' + version : name;
      break;
    }
  }
  let system = null;
  for (const [pattern, name] of SYSTEMS) {
    const m = userAgent.match(pattern);
    if (m) {
      system = typeof name === 'string' ? name : name(m);
      break;
    }
  }
  return { browser, system };
}

module.exports = { describeUserAgent };

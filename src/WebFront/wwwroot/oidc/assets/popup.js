// Pop-up mode: hand the authorization response to the window that opened the login, for its allowed origin only, then close.
(() => {
  'use strict';
  const data = JSON.parse(document.getElementById('popup-data').textContent);
  if (window.opener) {
    window.opener.postMessage({ type: 'scanlogin:authorization_response', ...data.result }, data.targetOrigin);
    window.close();
  }
})();

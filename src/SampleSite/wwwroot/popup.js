// Pop-up mode: open the hosted login in a pop-up and take the code it posts back, from ScanLogin's origin only.
(() => {
  'use strict';
  const button = document.getElementById('popup-login');
  const output = document.getElementById('popup-result');
  const providerOrigin = button.dataset.providerOrigin;
  window.addEventListener('message', async (event) => {
    if (event.origin !== providerOrigin || !event.data || event.data.type !== 'scanlogin:authorization_response') return;
    const response = await fetch('/popup/redeem', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: event.data.code || null, state: event.data.state || null, error: event.data.error || null }),
    });
    const result = await response.json();
    output.textContent = response.ok ? 'Signed in as ' + (result.name || result.sub) + ' (' + result.sub + ')' : 'Failed: ' + JSON.stringify(result);
    output.dataset.state = response.ok ? 'signed-in' : 'failed';
  });
  button.addEventListener('click', () => window.open('/popup/start', 'scanlogin', 'width=480,height=640'));
})();

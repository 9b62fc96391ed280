// pages: the page tests with wx.* mocked (deploy/test.sh runs them); e2e: the confirm page against the running system,
// started by tests/FunctionalTests/MiniProgram/MiniProgramPageTests.cs with the system's addresses in the environment.
module.exports = {
  projects: [
    { displayName: 'pages', testEnvironment: 'jsdom', testMatch: ['<rootDir>/pages/**/*.test.js'] },
    { displayName: 'e2e', testEnvironment: 'jsdom', testMatch: ['<rootDir>/e2e/**/*.test.js'] },
    // npm run screens: the confirm page's states at 320 px in headless Chromium, saved under docs/miniprogram/.
    { displayName: 'screens', testEnvironment: 'jsdom', testMatch: ['<rootDir>/screens/**/*.test.js'] },
  ],
};

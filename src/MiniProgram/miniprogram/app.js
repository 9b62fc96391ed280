// @ts-check
// The app holds nothing: each page reads its ticket from its own query in onLoad (a mini program kept in the
// background is not launched again when a second code is scanned), and no secret is kept anywhere.
App({});

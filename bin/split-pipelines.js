#!/usr/bin/env node
// The AWS SDK warns on every start under Node 20 that its 2027 releases will need Node 22; we pin
// a release that supports Node 20 (see package.json), so the warning is noise for our users.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
await import('../dist/cli.js');

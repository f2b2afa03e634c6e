#!/usr/bin/env node
// s3rver (the lab's object store) needs OpenSSL's legacy provider for paginated listings; it is
// only loaded by `lab` and `demo`, which re-exec themselves with the flag when it is missing.
import '../dist/cli.js';

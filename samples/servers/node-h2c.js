#!/usr/bin/env node
// HTTP/2 over cleartext with prior knowledge only (http2.createServer(), no
// HTTP/1.1 Upgrade, no fallback), for the http2-answer sample: an HTTP/1.1
// client gets HTTP/2 frames back (the server's SETTINGS, then a GOAWAY for the
// bad connection preface).
// usage: node node-h2c.js PORT      Loopback only; exits after its first session.
'use strict';
const http2 = require('http2');

const port = Number(process.argv[2]);
if (!port) {
  console.error('usage: node node-h2c.js PORT');
  process.exit(2);
}

const server = http2.createServer();
server.on('stream', (stream) => {
  stream.respond({ ':status': 200, 'content-type': 'text/plain' });
  stream.end('hello over h2c\n');
});
server.on('session', (session) => {
  session.on('close', () => {
    server.close();
    setTimeout(() => process.exit(0), 50);
  });
});
// a session error (the bad preface) is expected here, not a crash
server.on('sessionError', () => {});
server.listen(port, '127.0.0.1', () => {
  console.log(`node-h2c listening on 127.0.0.1:${port}`);
});

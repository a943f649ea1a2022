#!/usr/bin/env node
// Loopback-only node http clients for the interim samples (node core only).
// usage: node node-client.js MODE PORT
//   continue   POST with 'Expect: 100-continue'; body sent on the 'continue' event
//   websocket  GET with Upgrade: websocket; after 101, sends two masked binary
//              frames, reads the echoes, then a close frame
'use strict';
const http = require('http');
const crypto = require('crypto');

const [mode, portArg] = process.argv.slice(2);
const port = Number(portArg);
const host = '127.0.0.1';
const agent = new http.Agent({ keepAlive: false });

function fail(msg) {
  console.error(msg);
  process.exit(1);
}

if (mode === 'continue') {
  const body = Buffer.from('name=interim&sample=continue&pad=' + 'x'.repeat(200) + '\n');
  const req = http.request({
    host, port, method: 'POST', path: '/upload', agent,
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      'Content-Length': body.length,
      Expect: '100-continue',
    },
  });
  req.on('continue', () => req.end(body));
  req.on('response', (res) => {
    res.on('data', (c) => process.stdout.write(c));
    res.on('end', () => console.log(`status ${res.statusCode}`));
  });
  req.on('error', (e) => fail(e.message));
  req.flushHeaders();
} else if (mode === 'websocket') {
  // Fixed key from RFC 6455 so the capture's Sec-WebSocket-Accept is checkable:
  // s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
  const key = 'dGhlIHNhbXBsZSBub25jZQ==';
  const req = http.request({
    host, port, path: '/chat', agent,
    headers: {
      Connection: 'Upgrade',
      Upgrade: 'websocket',
      'Sec-WebSocket-Key': key,
      'Sec-WebSocket-Version': '13',
    },
  });
  req.on('response', (res) => fail(`no upgrade: ${res.statusCode}`));
  req.on('error', (e) => fail(e.message));
  req.on('upgrade', (res, socket, head) => {
    const want = crypto.createHash('sha1')
      .update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
    if (res.headers['sec-websocket-accept'] !== want) fail('bad accept');
    console.log(`status ${res.statusCode}, accept ok`);
    const mask = Buffer.from([0x37, 0xfa, 0x21, 0x3d]); // fixed mask: deterministic bytes
    const frame = (opcode, payload) => Buffer.concat([
      Buffer.from([0x80 | opcode, 0x80 | payload.length]), mask,
      Buffer.from(payload).map((b, i) => b ^ mask[i % 4]),
    ]);
    const messages = [Buffer.from([0x01, 0x02, 0x03, 0x04]), Buffer.from('ping-ish')];
    // The server echoes each binary frame unmasked (2-byte header + payload).
    // Send the next frame once the previous echo is complete, then a close frame.
    const thresholds = [];
    messages.reduce((n, m) => { thresholds.push(n + 2 + m.length); return n + 2 + m.length; }, 0);
    let received = head.length;
    let sent = 0;
    const sendNext = () => {
      if (sent < messages.length) socket.write(frame(0x2, messages[sent]));
      else if (sent === messages.length) socket.write(frame(0x8, Buffer.from([0x03, 0xe8])));
      sent++;
    };
    socket.on('data', (d) => {
      received += d.length;
      while (sent <= messages.length && received >= thresholds[sent - 1]) sendNext();
    });
    socket.on('end', () => { console.log('server closed'); socket.end(); });
    socket.on('error', (e) => fail(e.message));
    sendNext();
  });
  req.end();
} else {
  fail('usage: node node-client.js continue|websocket PORT');
}

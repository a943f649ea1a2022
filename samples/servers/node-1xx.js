#!/usr/bin/env node
// Loopback-only HTTP/1.x origin for the interim samples (node core modules only).
// usage: node node-1xx.js MODE PORT [HOST]
//   expect100   no 'checkContinue' handler: node itself answers 100 Continue,
//               then 200 with a small body once the request body is read
//   processing  res.writeProcessing() (102), ~300 ms later 200 OK
//   early-hints res.writeEarlyHints({link: ...}) (103), then 200 OK
//   continue    'checkContinue' handler: res.writeContinue(), read body, 201
//   continue-slow 'checkContinue' handler that waits 1.5 s before
//               res.writeContinue(), then reads the body and answers 200
//   websocket   'upgrade' handler: 101 Switching Protocols + Sec-WebSocket-Accept,
//               then echoes one binary frame and closes with a close frame
//   keepalive   per path: /chunked (chunked body), /length (Content-Length),
//               /empty (204); HEAD supported; keep-alive connection
//   keepalive-1xx one keep-alive connection held open by its client (idle
//               timeout 60 s): GET /first 200; GET /processing
//               res.writeProcessing(), ~300 ms later 200; 'checkContinue'
//               handler: res.writeContinue(), read body, 200
//   proxy-1xx   an upstream behind nginx or Apache: res.writeProcessing()
//               (102) and res.writeEarlyHints() (103), whatever the request's
//               HTTP version (node checks none), 50 ms later 200 OK
//   proxy-1xx-held the same with 5 s between the 103 and the 200
// HOST defaults to 127.0.0.1 (use ::1 for IPv6). Exits after the first
// connection has closed.
'use strict';
const http = require('http');
const crypto = require('crypto');

const [mode, portArg, host = '127.0.0.1'] = process.argv.slice(2);
const port = Number(portArg);
if (!mode || !port) {
  console.error('usage: node node-1xx.js MODE PORT [HOST]');
  process.exit(2);
}

// keepalive-1xx: its client waits between requests (a tcpdump starting)
const server = http.createServer({
  keepAliveTimeout: mode === 'keepalive-1xx' ? 60000 : 5000,
});

function readBody(req, cb) {
  const parts = [];
  req.on('data', (c) => parts.push(c));
  req.on('end', () => cb(Buffer.concat(parts)));
}

function finalOk(res, text, status = 200) {
  const body = Buffer.from(text);
  res.writeHead(status, { 'Content-Type': 'text/plain', 'Content-Length': body.length });
  res.end(body);
}

switch (mode) {
  case 'expect100':
    server.on('request', (req, res) => {
      readBody(req, (b) => finalOk(res, `got ${b.length} bytes\n`));
    });
    break;
  case 'processing':
    server.on('request', (req, res) => {
      readBody(req, () => {
        res.writeProcessing();
        setTimeout(() => finalOk(res, 'done after 102\n'), 300);
      });
    });
    break;
  case 'early-hints':
    server.on('request', (req, res) => {
      readBody(req, () => {
        res.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' });
        setTimeout(() => {
          const body = Buffer.from('<!doctype html><link rel=stylesheet href=/style.css>\n');
          res.writeHead(200, {
            'Content-Type': 'text/html',
            'Content-Length': body.length,
            Link: '</style.css>; rel=preload; as=style',
          });
          res.end(body);
        }, 50);
      });
    });
    break;
  case 'continue':
    server.on('checkContinue', (req, res) => {
      res.writeContinue();
      readBody(req, (b) => finalOk(res, `created ${b.length} bytes\n`, 201));
    });
    server.on('request', (req, res) => {
      readBody(req, (b) => finalOk(res, `no expect, ${b.length} bytes\n`));
    });
    break;
  case 'continue-slow':
    server.on('checkContinue', (req, res) => {
      setTimeout(() => {
        res.writeContinue();
        readBody(req, (b) => finalOk(res, `got ${b.length} bytes after a slow 100\n`));
      }, 1500);
    });
    server.on('request', (req, res) => {
      readBody(req, (b) => finalOk(res, `no expect, ${b.length} bytes\n`));
    });
    break;
  case 'websocket':
    server.on('request', (req, res) => finalOk(res, 'upgrade required\n', 426));
    server.on('upgrade', (req, socket) => {
      const key = req.headers['sec-websocket-key'];
      const accept = crypto.createHash('sha1')
        .update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
      socket.write('HTTP/1.1 101 Switching Protocols\r\n' +
        'Upgrade: websocket\r\n' +
        'Connection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${accept}\r\n\r\n`);
      let buf = Buffer.alloc(0);
      socket.on('data', (d) => {
        buf = Buffer.concat([buf, d]);
        // parse complete masked client frames (small payloads, < 126 bytes)
        while (buf.length >= 6 && buf.length >= 6 + (buf[1] & 0x7f)) {
          const opcode = buf[0] & 0x0f;
          const len = buf[1] & 0x7f;
          const mask = buf.subarray(2, 6);
          const payload = Buffer.from(buf.subarray(6, 6 + len)).map((b, i) => b ^ mask[i % 4]);
          buf = buf.subarray(6 + len);
          if (opcode === 0x8) {
            // close frame: answer with a close frame (1000) and end the TCP stream
            socket.end(Buffer.from([0x88, 0x02, 0x03, 0xe8]));
            return;
          }
          // echo the payload back as an unmasked binary frame
          socket.write(Buffer.concat([Buffer.from([0x82, payload.length]), payload]));
        }
      });
      socket.on('error', () => {});
    });
    break;
  case 'keepalive':
    server.on('request', (req, res) => {
      readBody(req, () => {
        if (req.url === '/chunked') {
          res.writeHead(200, { 'Content-Type': 'text/plain' }); // no length: chunked
          res.write('first chunk\n');
          res.end('second chunk\n');
        } else if (req.url === '/length') {
          finalOk(res, 'fixed length body\n');
        } else if (req.url === '/empty') {
          res.writeHead(204);
          res.end();
        } else {
          finalOk(res, 'not found\n', 404);
        }
      });
    });
    break;
  case 'keepalive-1xx':
    server.on('checkContinue', (req, res) => {
      res.writeContinue();
      readBody(req, (b) => finalOk(res, `got ${b.length} bytes after 100\n`));
    });
    server.on('request', (req, res) => {
      readBody(req, () => {
        if (req.url === '/processing') {
          res.writeProcessing();
          setTimeout(() => finalOk(res, 'done after 102\n'), 300);
        } else {
          finalOk(res, 'first\n');
        }
      });
    });
    break;
  case 'proxy-1xx':
  case 'proxy-1xx-held':
    server.on('request', (req, res) => {
      readBody(req, () => {
        res.writeProcessing();
        res.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' });
        const wait = mode === 'proxy-1xx-held' ? 5000 : 50;
        setTimeout(() => finalOk(res, `HTTP/${req.httpVersion} request, 200 after 102 and 103\n`), wait);
      });
    });
    break;
  default:
    console.error(`unknown mode ${mode}`);
    process.exit(2);
}

// Exit once the first connection is gone, so the capture ends cleanly.
server.on('connection', (sock) => {
  sock.on('close', () => {
    server.close();
    setTimeout(() => process.exit(0), 50);
  });
});

server.listen(port, host, () => {
  console.log(`node-1xx ${mode} listening on ${host}:${port}`);
});

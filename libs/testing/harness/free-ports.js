// Ports for the listeners tests start (brokers, PostgreSQL, services) that no two pickers share.
// The kernel's own pick (listen on port 0, close, hand out the number) repeats itself: two calls
// in a row gave a broker's two listeners the same port ("If you have two listeners on the same
// port then one needs to be IPv4 and the other IPv6"), and a closed port is free again for the
// next caller in any process. So ports come from below the kernel's ephemeral range (outgoing
// connections never take those), each is reserved for a while in a file every process on the
// machine consults (created with O_EXCL: one winner), and the sockets of one request stay open
// until every port of it is known.
// Plain CommonJS: loaded by infra/kafka/broker.js, the ESM harness and TypeScript tests alike.
'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

/** How long a handed-out port stays reserved: longer than any listener takes to bind it. */
const RESERVATION_MS = 10 * 60_000;
const MAX_ATTEMPTS = 2000;

// One per user: a directory another user created may not be writable.
function reservationsDir() {
  return process.env.AUTHTRAIL_PORT_RESERVATIONS || path.join(os.tmpdir(), `authtrail-port-reservations-${process.getuid ? process.getuid() : 'user'}`);
}

/** [first, last] of the ports to pick from: below (or else above) the ephemeral range; undefined when neither is wide. */
function candidateRange() {
  let [low, high] = [32768, 60999];
  try {
    [low, high] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
  } catch {
    // not Linux: the common default above
  }
  if (low - 1 - 10_000 >= 1000) return [10_000, low - 1];
  if (65_535 - (high + 1) >= 1000) return [high + 1, 65_535];
  return undefined;
}

// A reservation is the file `<port>.<period>`; it counts during its period and the next one, so
// it lasts at least RESERVATION_MS whenever it was made.
function reserve(port) {
  const dir = reservationsDir();
  const period = Math.floor(Date.now() / RESERVATION_MS);
  const file = (p) => path.join(dir, `${port}.${p}`);
  fs.mkdirSync(dir, { recursive: true });
  if (fs.existsSync(file(period - 1))) return false;
  try {
    fs.writeFileSync(file(period), `${process.pid}\n`, { flag: 'wx' });
  } catch (error) {
    if (error.code === 'EEXIST') return false;
    throw error;
  }
  // Someone already in the next period checked before this file existed: leave the port to them.
  return !fs.existsSync(file(period + 1));
}

let swept = false;
/** Deletes the reservation files of periods no one consults any more (once per process). */
function sweepOldReservations() {
  if (swept) return;
  swept = true;
  const current = Math.floor(Date.now() / RESERVATION_MS);
  let names = [];
  try {
    names = fs.readdirSync(reservationsDir());
  } catch {
    return;
  }
  for (const name of names) {
    const period = Number(name.split('.')[1]);
    if (Number.isInteger(period) && period < current - 1) fs.rmSync(path.join(reservationsDir(), name), { force: true });
  }
}

/** Listens on `port` (0: the kernel picks) on every IPv4 address; undefined when it is taken. */
function listenOn(port) {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (error) => (error.code === 'EADDRINUSE' || error.code === 'EACCES' ? resolve(undefined) : reject(error)));
    server.listen({ port, host: '0.0.0.0', exclusive: true }, () => resolve(server));
  });
}

/** `count` different free ports, each reserved machine-wide for RESERVATION_MS. */
async function freePorts(count = 1) {
  sweepOldReservations();
  const range = candidateRange();
  const held = [];
  try {
    for (let attempt = 0; held.length < count; attempt++) {
      if (attempt >= MAX_ATTEMPTS) throw new Error(`no ${count} free TCP ports found in ${MAX_ATTEMPTS} attempts (reservations in ${reservationsDir()})`);
      const wanted = range ? crypto.randomInt(range[0], range[1] + 1) : 0;
      if (wanted !== 0 && !reserve(wanted)) continue;
      const server = await listenOn(wanted);
      if (!server) continue;
      if (wanted === 0 && !reserve(server.address().port)) {
        await new Promise((r) => server.close(r));
        continue;
      }
      held.push(server);
    }
    return held.map((server) => server.address().port);
  } finally {
    await Promise.all(held.map((server) => new Promise((r) => server.close(r))));
  }
}

async function freePort() {
  return (await freePorts(1))[0];
}

module.exports = { freePort, freePorts, RESERVATION_MS };

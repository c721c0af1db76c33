// The Node peer for bench/compare: subscribes with the npm `mqtt` package
// (MQTT 5) to the filters given, counts messages without printing them,
// and exits once it has N, as `mosquitto_sub -C N > /dev/null` does.
//
//   node bench/node/sub.js URL CLIENT_ID N FILTER...
'use strict';
const path = require('path');
const mqtt = require(path.join(__dirname, '..', 'node_modules', 'mqtt'));

const [url, clientId, nText, ...filters] = process.argv.slice(2);
const n = Number(nText);
if (!url || !clientId || !(n > 0) || filters.length === 0) {
  console.error('usage: sub.js URL CLIENT_ID N FILTER...');
  process.exit(2);
}
let got = 0;
const client = mqtt.connect(url, { clientId, protocolVersion: 5, clean: true, reconnectPeriod: 0 });
client.on('connect', () => {
  client.subscribe(filters, { qos: 0 }, (err) => {
    if (err) {
      console.error(`subscribe: ${err.message}`);
      process.exit(1);
    }
  });
});
client.on('message', () => {
  got++;
  if (got === n) {
    process.exit(0);
  }
});
client.on('error', (err) => {
  console.error(`mqtt: ${err.message}`);
  process.exit(1);
});

// The worker thread side: start() here runs no exporter and opens no port; it
// answers the main thread's collections. piscina runs the default export.
import { instrument } from '@inferometer/core';
import { start } from '@inferometer/node';

await start({ serviceName: 'workers-example' });

// A stand-in model: the longest feature decides the class.
const predict = instrument(
  (features) => {
    if (!Array.isArray(features) || features.length !== 4) throw new TypeError('expected 4 numbers');
    return features.indexOf(Math.max(...features)) % 3;
  },
  { model: 'iris', version: '1.0.0' },
);

export default function run(features) {
  return predict(features);
}

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary } from '@inferometer/testing';

/** PEM files made for one test run: a CA, a server certificate for 127.0.0.1/localhost, client certificates. */
export interface TestCertificates {
  readonly dir: string;
  /** File paths. */
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
  /** Signed by the CA, SAN DNS:scraper. */
  readonly clientCert: string;
  readonly clientKey: string;
  /** Signed by another CA the server does not trust, SAN DNS:stranger. */
  readonly strangerCert: string;
  readonly strangerKey: string;
  /** Reads a file of the set. */
  read(path: string): Buffer;
  remove(): void;
}

/** Generates the certificates with the machine's `openssl` (EC P-256, valid one day) into a temporary directory. */
export function makeCertificates(): TestCertificates {
  const openssl = requireBinary('openssl', 'openssl', 'OPENSSL_BIN');
  const dir = mkdtempSync(join(tmpdir(), 'inferometer-certs-'));
  const run = (...args: string[]): void => {
    execFileSync(openssl, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  };
  const ca = (name: string): void =>
    run('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '1',
      '-subj', `/CN=${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  const leaf = (name: string, signer: string, extensions: string): void => {
    writeFileSync(join(dir, `${name}.ext`), extensions);
    run('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    run('x509', '-req', '-in', `${name}.csr`, '-CA', `${signer}.crt`, '-CAkey', `${signer}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', '1', '-extfile', `${name}.ext`);
  };
  ca('ca');
  ca('other-ca');
  leaf('server', 'ca', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  leaf('client', 'ca', 'subjectAltName=DNS:scraper\nextendedKeyUsage=clientAuth\n');
  leaf('stranger', 'other-ca', 'subjectAltName=DNS:stranger\nextendedKeyUsage=clientAuth\n');
  const at = (file: string): string => join(dir, file);
  return {
    dir,
    caCert: at('ca.crt'),
    serverCert: at('server.crt'),
    serverKey: at('server.key'),
    clientCert: at('client.crt'),
    clientKey: at('client.key'),
    strangerCert: at('stranger.crt'),
    strangerKey: at('stranger.key'),
    read: (path) => readFileSync(path),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

// A real S3 server that verifies SigV4 (header and presigned), on 127.0.0.1 and a free port.
// Prints one line: READY {"port":…,"bucket":…,"accessKeyId":…,"secretAccessKey":…}
// Usage: node s3-server.mjs [accessKeyId] [secretAccessKey] [bucket]
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const S3rver = require('@20minutes/s3rver');
const AWSAccount = require('@20minutes/s3rver/lib/models/account');

const [accessKeyId = 'AKIDATOMICTEST', secretAccessKey = 'atomic/test+secret/KEY', bucket = 'atomic-bucket'] = process.argv.slice(2);
AWSAccount.DUMMY_ACCOUNT.createKeyPair(accessKeyId, secretAccessKey);

const directory = mkdtempSync(join(tmpdir(), 's3rver-'));
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory,
  resetOnClose: true,
  allowMismatchedSignatures: false,
  configureBuckets: [{ name: bucket }],
});

const { port } = await server.run();
console.log(`READY ${JSON.stringify({ port, bucket, accessKeyId, secretAccessKey })}`);

const stop = async () => {
  try { await server.close(); } finally { rmSync(directory, { recursive: true, force: true }); process.exit(0); }
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

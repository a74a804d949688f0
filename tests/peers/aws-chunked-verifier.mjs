// A verifier of aws-chunked uploads on 127.0.0.1 (s3rver decodes the framing but checks no chunk
// signature): every chunk signature of STREAMING-AWS4-HMAC-SHA256-PAYLOAD is recomputed from the
// seed in Authorization with node:crypto; so is every ECDSA chunk signature of SigV4a's
// STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, with the public key derived here from the access key id and
// secret by the spec's KDF (each field 144 characters, '*'-padded; the chain runs over the unpadded hex);
// and the checksum trailer of STREAMING-UNSIGNED-PAYLOAD-TRAILER
// (crc32, crc32c or sha256) from the decoded bytes. Reads the body as it streams, holding one chunk.
// Answers 200 {"bytes":…,"sha256":…,"chunks":…} or 403 {"error":…}.
// Listens on https when given a certificate and its key (PEM files): the trailer form is sent over https only.
// Prints one line: READY {"port":…}. Usage: node aws-chunked-verifier.mjs <secretAccessKey> [cert.pem key.pem]
import { createECDH, createHash, createHmac, createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { crc32 } from 'node:zlib';

const [secretAccessKey = 'atomic/test+secret/KEY', certificate, privateKey] = process.argv.slice(2);

// CRC-32C (Castagnoli, reflected polynomial 0x82f63b78): node:zlib has only the IEEE CRC-32.
const CASTAGNOLI = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  return c >>> 0;
});
const crc32c = (data, previous = 0) => {
  let c = ~previous >>> 0;
  for (const byte of data) c = CASTAGNOLI[(c ^ byte) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
};
const EMPTY = createHash('sha256').update('').digest('hex');
const hmac = (key, data) => createHmac('sha256', key).update(data).digest();

// SigV4a's key: NIST SP 800-108 counter-mode KDF with HMAC-SHA256 over "AWS4A" + secret, a candidate kept when
// it is at most n - 2 (P-256's order), d = candidate + 1; the public point computed from d.
const ORDER_MINUS_TWO = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc63254fn;
function sigv4aPublicKey(accessKeyId) {
  for (let counter = 1; counter <= 254; counter++) {
    const input = Buffer.concat([
      Buffer.from([0, 0, 0, 1]), Buffer.from('AWS4-ECDSA-P256-SHA256'), Buffer.from([0]),
      Buffer.from(accessKeyId), Buffer.from([counter, 0, 0, 1, 0]),
    ]);
    const candidate = BigInt('0x' + hmac('AWS4A' + secretAccessKey, input).toString('hex'));
    if (candidate > ORDER_MINUS_TWO) continue;
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(Buffer.from((candidate + 1n).toString(16).padStart(64, '0'), 'hex'));
    const point = ecdh.getPublicKey();
    const jwk = { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') };
    return createPublicKey({ key: jwk, format: 'jwk' });
  }
  throw new Error('no SigV4a key for these credentials');
}

function verifier(headers) {
  const mode = headers['x-amz-content-sha256'];
  const authorization = headers.authorization ?? '';
  const ecdsa = authorization.startsWith('AWS4-ECDSA-P256-SHA256 ');
  const [, accessKeyId, credential] = /Credential=([^/]+)\/([^,]+)/.exec(authorization) ?? [];
  const seed = (ecdsa ? /Signature=((?:[0-9a-f]{2}){8,72})$/ : /Signature=([0-9a-f]{64})$/).exec(authorization)?.[1];
  if (!credential || !seed) throw new Error('no SigV4 or SigV4a Authorization');
  if (ecdsa !== (mode === 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD') && mode !== 'STREAMING-UNSIGNED-PAYLOAD-TRAILER') {
    throw new Error(`${mode} does not go with ${authorization.split(' ')[0]}`);
  }
  let signedBy;
  if (ecdsa) {
    // date/service/aws4_request: SigV4a's scope has no region.
    const publicKey = sigv4aPublicKey(accessKeyId);
    const prefix = `AWS4-ECDSA-P256-SHA256-PAYLOAD\n${headers['x-amz-date']}\n${credential}\n`;
    signedBy = (previous, hash, field) => {
      if (!/^(?:[0-9a-f]{2}){8,72}\**$/.test(field) || field.length !== 144) throw new Error(`chunk signature field ${field} is not 144 characters of hex padded with '*'`);
      const signature = field.replace(/\*+$/, '');
      const message = Buffer.from(prefix + previous + '\n' + EMPTY + '\n' + hash);
      if (!verify('sha256', message, { key: publicKey, dsaEncoding: 'der' }, Buffer.from(signature, 'hex'))) {
        throw new Error(`chunk signature ${signature} does not verify`);
      }
      return signature;
    };
  } else {
    const [date, region, service] = credential.split('/');
    const key = hmac(hmac(hmac(hmac('AWS4' + secretAccessKey, date), region), service), 'aws4_request');
    const prefix = `AWS4-HMAC-SHA256-PAYLOAD\n${headers['x-amz-date']}\n${credential}\n`;
    signedBy = (previous, hash, signature) => {
      const expected = hmac(key, prefix + previous + '\n' + EMPTY + '\n' + hash).toString('hex');
      if (signature !== expected) throw new Error(`chunk signature ${signature} is not ${expected}`);
      return expected;
    };
  }
  let previous = seed;
  let crc = 0;
  let crcc = 0;
  const sha = createHash('sha256');
  return {
    signed: mode === 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD' || mode === 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD',
    trailer: mode === 'STREAMING-UNSIGNED-PAYLOAD-TRAILER' ? headers['x-amz-trailer'] : null,
    chunk(data, signature) {
      if (this.signed) {
        previous = signedBy(previous, createHash('sha256').update(data).digest('hex'), signature);
      }
      crc = crc32(data, crc);
      if (this.trailer === 'x-amz-checksum-crc32c') crcc = crc32c(data, crcc);
      sha.update(data);
    },
    checksum(name) {
      if (name === 'x-amz-checksum-crc32' || name === 'x-amz-checksum-crc32c') {
        const bytes = Buffer.alloc(4);
        bytes.writeUInt32BE((name === 'x-amz-checksum-crc32' ? crc : crcc) >>> 0);
        return bytes.toString('base64');
      }
      if (name === 'x-amz-checksum-sha256') return sha.copy().digest('base64');
      throw new Error(`unknown trailer ${name}`);
    },
    sha256: () => sha.digest('hex'),
  };
}

const handle = (request, response) => {
  let state;
  try {
    state = verifier(request.headers);
  } catch (error) {
    response.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ error: error.message }));
    return;
  }

  let pending = Buffer.alloc(0);
  let size = -1;
  let signature = null;
  let bytes = 0;
  let chunks = 0;
  let done = false;
  let trailers = {};
  let failure = null;

  const parse = () => {
    while (!done) {
      const end = pending.indexOf('\r\n');
      // After the trailer form's final chunk: trailer lines, then an empty line (checked first: -2 < 0).
      if (size === -2) {
        if (end < 0) return;
        const line = pending.subarray(0, end).toString('latin1');
        pending = pending.subarray(end + 2);
        if (line === '') { done = true; return; }
        const colon = line.indexOf(':');
        trailers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1);
        continue;
      }
      if (size === -1) {
        if (end < 0) return;
        const line = pending.subarray(0, end).toString('latin1');
        pending = pending.subarray(end + 2);
        const [hex, extension] = line.split(';');
        size = parseInt(hex, 16);
        if (!/^[0-9a-f]+$/i.test(hex)) throw new Error(`not a chunk size line: ${line.slice(0, 40)}`);
        signature = extension?.startsWith('chunk-signature=') ? extension.slice(16) : null;
        if (state.signed && !signature) throw new Error(`chunk without a signature: ${line}`);
        if (size === 0 && !state.signed) {
          // The final chunk of the trailer form: trailer lines, then an empty line.
          state.chunk(Buffer.alloc(0), null);
          chunks++;
          size = -2;
        }
        continue;
      }
      if (pending.length < size + 2) return;
      const data = pending.subarray(0, size);
      if (pending.subarray(size, size + 2).toString('latin1') !== '\r\n') throw new Error('chunk data not followed by CRLF');
      state.chunk(data, signature);
      chunks++;
      bytes += size;
      pending = pending.subarray(size + 2);
      if (size === 0) done = true;
      size = -1;
    }
  };

  request.on('data', (data) => {
    if (failure) return;
    pending = pending.length ? Buffer.concat([pending, data]) : data;
    try { parse(); } catch (error) { failure = error; }
  });
  request.on('end', () => {
    try {
      if (failure) throw failure;
      if (!done) throw new Error('the body ended before the final chunk');
      if (pending.length) throw new Error(`${pending.length} bytes after the final chunk`);
      if (String(bytes) !== request.headers['x-amz-decoded-content-length']) throw new Error(`decoded ${bytes} bytes, x-amz-decoded-content-length says ${request.headers['x-amz-decoded-content-length']}`);
      if (state.trailer) {
        const expected = state.checksum(state.trailer);
        if (trailers[state.trailer] !== expected) throw new Error(`trailer ${state.trailer} is ${trailers[state.trailer]}, not ${expected}`);
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ bytes, chunks, sha256: state.sha256() }));
    } catch (error) {
      response.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ error: error.message }));
    }
  });
};

const server = certificate
  ? createHttpsServer({ cert: readFileSync(certificate), key: readFileSync(privateKey) }, handle)
  : createHttpServer(handle);
server.listen(0, '127.0.0.1', function () {
  console.log(`READY ${JSON.stringify({ port: this.address().port })}`);
});

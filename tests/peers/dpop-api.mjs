// An API on 127.0.0.1 that takes only DPoP-bound access tokens (RFC 9449 §7) and verifies every
// proof with jose, independently of the library under test: the proof's signature with its
// embedded jwk, typ dpop+jwt, htm, htu (this URL without query), ath (the token's hash), iat within
// 60 s, jti never seen before (a replay is refused), and the proof key's thumbprint equal to the
// token's cnf.jkt. The token itself is a JWT from the OpenID provider, verified against its JWKS.
// It demands its nonce: a proof without the current one gets 401 use_dpop_nonce with DPoP-Nonce.
//
// Usage: node dpop-api.mjs <issuer> <jwksUri> <audience>
// Prints: READY {"url": "http://127.0.0.1:<port>/"}
// Routes: POST /_rotate (a new nonce), GET /_stats (counts and refusal reasons); anything else is
// the API: 200 with what it verified, as JSON.
import crypto from 'node:crypto';
import http from 'node:http';
import { calculateJwkThumbprint, createRemoteJWKSet, EmbeddedJWK, jwtVerify } from 'jose';

const [issuer, jwksUri, audience] = process.argv.slice(2);
const jwks = createRemoteJWKSet(new URL(jwksUri));
const seen = new Set();
const stats = { verified: 0, nonceDemands: 0, refused: [] };
let nonce = crypto.randomBytes(16).toString('base64url');

function refuse(res, error, description) {
  stats.refused.push(`${error}: ${description}`);
  res.writeHead(401, {
    'WWW-Authenticate': `DPoP error="${error}", error_description="${description}", algs="ES256 RS256"`,
    'DPoP-Nonce': nonce,
    'Content-Type': 'application/json',
  });
  res.end(JSON.stringify({ error, error_description: description }));
}

async function verify(req, base) {
  const authorization = req.headers.authorization ?? '';
  if (!authorization.startsWith('DPoP ')) {
    return { error: 'invalid_token', description: `the Authorization scheme is not DPoP: ${authorization.split(' ')[0]}` };
  }
  const token = authorization.slice(5);
  const proofs = req.headersDistinct.dpop ?? [];
  if (proofs.length !== 1) {
    return { error: 'invalid_dpop_proof', description: `expected one DPoP header, got ${proofs.length}` };
  }
  const proof = proofs[0];
  let access;
  let checked;
  try {
    access = (await jwtVerify(token, jwks, { issuer, audience })).payload;
  } catch (e) {
    return { error: 'invalid_token', description: e.code ?? 'the token does not verify' };
  }
  try {
    checked = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ['ES256', 'RS256'] });
  } catch (e) {
    return { error: 'invalid_dpop_proof', description: e.code ?? 'the proof does not verify' };
  }
  const { payload, protectedHeader } = checked;
  const url = new URL(req.url, base);
  const htu = `${url.origin}${url.pathname}`;
  if (payload.htm !== req.method) return { error: 'invalid_dpop_proof', description: `htm ${payload.htm} is not ${req.method}` };
  if (payload.htu !== htu) return { error: 'invalid_dpop_proof', description: `htu ${payload.htu} is not ${htu}` };
  if (payload.ath !== crypto.hash('sha256', token, 'base64url')) return { error: 'invalid_dpop_proof', description: 'ath is not the hash of the token' };
  if (typeof payload.iat !== 'number' || Math.abs(Date.now() / 1000 - payload.iat) > 60) return { error: 'invalid_dpop_proof', description: 'iat is not within 60 s' };
  if ('d' in protectedHeader.jwk || 'p' in protectedHeader.jwk) return { error: 'invalid_dpop_proof', description: 'the jwk holds a private part' };
  const jkt = await calculateJwkThumbprint(protectedHeader.jwk);
  if (access.cnf?.jkt !== jkt) return { error: 'invalid_token', description: 'the proof key is not the key the token is bound to' };
  if (typeof payload.jti !== 'string' || seen.has(payload.jti)) return { error: 'invalid_dpop_proof', description: 'jti replayed' };
  if (payload.nonce !== nonce) {
    stats.nonceDemands++;
    return { error: 'use_dpop_nonce', description: 'use the nonce this server gave' };
  }
  seen.add(payload.jti);
  return { ok: { jkt, cnfJkt: access.cnf.jkt, jti: payload.jti, htm: payload.htm, htu: payload.htu, clientId: access.client_id, alg: protectedHeader.alg } };
}

const server = http.createServer(async (req, res) => {
  const base = `http://127.0.0.1:${server.address().port}`;
  if (req.url === '/_rotate' && req.method === 'POST') {
    nonce = crypto.randomBytes(16).toString('base64url');
    res.writeHead(204).end();
    return;
  }
  if (req.url === '/_stats') {
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(stats));
    return;
  }
  for await (const _ of req) { /* drain the body */ }
  const result = await verify(req, base);
  if (!result.ok) {
    refuse(res, result.error, result.description);
    return;
  }
  stats.verified++;
  res.writeHead(200, { 'Content-Type': 'application/json', 'DPoP-Nonce': nonce });
  res.end(JSON.stringify(result.ok));
});

await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
console.log('READY ' + JSON.stringify({ url: `http://127.0.0.1:${server.address().port}/` }));

import { describe, expect, test } from 'vitest';
import { credentialShape, findLiteralSecrets, isSecretKey } from '../../src/split-file/secrets.js';

describe('isSecretKey', () => {
  test.each([
    'password',
    'token',
    'apiKey',
    'api_key',
    'API-KEY',
    'secretAccessKey',
    'accessKeyId',
    'hf-token',
    'HTTP_PASSWORD',
    'bearer',
    'clientSecret',
    'privateKey',
  ])('names a credential: %s', (key) => {
    expect(isSecretKey(key)).toBe(true);
  });

  test.each([
    'tokenEnv',
    'tokenFile',
    'secretAccessKeyEnv',
    'maxTokens',
    'token_type',
    'tokenizer',
    'passwordFile',
    'keyId',
    'name',
    'value',
  ])('does not name a credential: %s', (key) => {
    expect(isSecretKey(key)).toBe(false);
  });
});

describe('findLiteralSecrets', () => {
  const paths = (data: unknown): string[] => findLiteralSecrets(data).map((f) => f.path.join('.'));

  test('finds a secret-named key with a literal value, at any depth, and points at the key', () => {
    const found = findLiteralSecrets({ spec: { locations: [{ kfp: { auth: { token: 'abc123' } } }] } });
    expect(found.map((f) => [f.path.join('.'), f.on])).toEqual([['spec.locations.0.kfp.auth.token', 'key']]);
  });

  test('ignores secret-named keys whose value is a boolean, empty or a mapping', () => {
    expect(paths({ serviceAccountToken: true, password: '', token: { fromEnv: 'X' } })).toEqual([]);
  });

  test('finds numeric passwords too', () => {
    expect(paths({ password: 123456 })).toEqual(['password']);
  });

  test('finds credentials by their shape under any key', () => {
    expect(
      paths({
        a: 'AKIAABCDEFGHIJKLMNOP',
        b: 'Bearer abcdefghijkl',
        c: '-----BEGIN RSA PRIVATE KEY-----\nMIIE...',
        d: 'ghp_0123456789abcdefghijklmnopqrstuvwxyz',
        e: 'just text',
      }),
    ).toEqual(['a', 'b', 'c', 'd']);
  });

  test('finds a user and password in any URL, and any user part in an endpoint', () => {
    expect(
      paths({
        endpoint: 'https://tok3n@kfp.example.com',
        mirror: 'https://u:p@example.com/x',
        repo: 'ssh://git@github.com/org/repo',
        plain: 'https://kfp.example.com/a@b',
      }),
    ).toEqual(['endpoint', 'mirror']);
  });

  test('suggests the …Env field the format offers for the secret', () => {
    const [s3] = findLiteralSecrets({ spec: { locations: [{ objectStore: { secretAccessKey: 'x/y' } }] } });
    expect(s3?.message).toContain('"secretAccessKeyEnv"');
    const [other] = findLiteralSecrets({ metadata: { annotations: { dbPassword: 'pw' } } });
    expect(other?.message).toContain('"dbPasswordEnv"');
  });

  test('walks cyclic data without looping, reporting a shared value once', () => {
    const shared: Record<string, unknown> = { password: 'x1' };
    shared['self'] = shared;
    expect(paths({ a: shared, b: shared })).toHaveLength(1);
  });

  test('never repeats the value, or part of it, in the message', () => {
    const secret = 'Zq9-very-SECRET-value';
    const data = {
      password: secret,
      endpoint: `https://user:${secret}@host`,
      note: `Bearer ${secret}`,
    };
    const messages = findLiteralSecrets(data).map((f) => f.message);
    expect(messages).toHaveLength(3);
    for (const m of messages) {
      expect(m).not.toContain(secret);
      expect(m).not.toContain('SECRET');
    }
  });
});

describe('credentialShape', () => {
  test('recognises a token inside a longer text', () => {
    expect(credentialShape('use AKIAABCDEFGHIJKLMNOP for now')).toBe('an AWS access key id');
    expect(credentialShape('jwt=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig_x')).toBe('a JSON Web Token');
  });

  // Unanchored matching took minutes on this value; the timeout catches a return to it.
  test('finishes on adversarial values (1 MB of token-like fragments)', () => {
    expect(credentialShape('eyJ-'.repeat(250_000))).toBeUndefined();
  }, 5_000);
});

import { describe, expect, it } from 'vitest';
import { maskSecretsOf, REDACTED, secretEnvNames, SecretMasker, withoutVariables } from '../../action/src/secrets.js';
import { thesisSpecText, withTokenEnv } from './support/workspace.js';

describe('location secrets', () => {
  it('finds every variable a spec names with …Env keys', () => {
    expect(secretEnvNames(withTokenEnv(thesisSpecText, 'KFP_A_TOKEN'))).toEqual([
      'KFP_A_TOKEN',
      'LAB_S3_ACCESS_KEY_ID',
      'LAB_S3_SECRET_ACCESS_KEY',
    ]);
  });

  it('still finds the names in a file that fails validation', () => {
    expect(
      secretEnvNames(
        'spec:\n  locations:\n    - kfp: { auth: { tokenEnv: T1 } }\n      bogus: 1\n      userIdHeader: { valueEnv: U1 }\n',
      ),
    ).toEqual(['T1', 'U1']);
  });

  it('masks the values of the named variables that are set, and announces each to the runner', () => {
    const announced: string[] = [];
    const masker = new SecretMasker((v) => announced.push(v));
    const names = maskSecretsOf(
      [withTokenEnv(thesisSpecText, 'KFP_A_TOKEN')],
      { KFP_A_TOKEN: 'tok-123456', LAB_S3_ACCESS_KEY_ID: 'AK-abcdef', OTHER: 'not-a-secret' },
      masker,
    );
    expect(names).toEqual(['KFP_A_TOKEN', 'LAB_S3_ACCESS_KEY_ID']);
    expect(announced).toEqual(['tok-123456', 'AK-abcdef']);
    expect(masker.redact('Bearer tok-123456 / AK-abcdef / not-a-secret')).toBe(
      `Bearer ${REDACTED} / ${REDACTED} / not-a-secret`,
    );
  });

  it('redacts a secret after Markdown or JSON escaping, and each line of a multi-line secret', () => {
    const masker = new SecretMasker(() => {});
    masker.add('my_secret"value\nsecond-line-xyz');
    expect(masker.redact('md: my\\_secret"value json: my_secret\\"value line: second-line-xyz')).toBe(
      `md: ${REDACTED} json: ${REDACTED} line: ${REDACTED}`,
    );
  });

  it('leaves a fork plan without the variables the files name', () => {
    expect(withoutVariables({ A: '1', B: '2', PATH: '/bin' }, ['A', 'B'])).toEqual({ PATH: '/bin' });
  });
});

import fc from 'fast-check';

/** 100 kB strings of a few kinds: plain, multi-byte, markup, and one full of control characters. */
export const HUGE_STRINGS: readonly string[] = [
  'A'.repeat(100_000),
  '漢字😀'.repeat(25_000),
  '<p><b>x</b><script>alert(1)</script></p>'.repeat(2_500),
  '\u0000\u0001\u001f\u007f\r\n'.repeat(20_000),
  `${'word '.repeat(19_999)}end`,
];

/** Malformed integer ids for `{id}`-style path parameters, as they appear on the request line. */
export const BAD_IDS: readonly string[] = [
  '0', '-1', '1e3', '1.5', '1.0', '+1', '0x10', '010', '%201', '1%20', '99999999999999', '2147483648', '4294967297',
  '9007199254740993', '-2147483649', 'NaN', 'Infinity', '-Infinity', 'null', 'undefined', 'true', '[]', '{}', 'abc',
  '%00', '1%00', '%2e%2e', '..', '..%2F..%2Fetc%2Fpasswd', '..%5C..%5Cwin.ini', '%252e%252e', '%zz', '%', '%e0%80',
  '%ff%fe', '\u00ff\u00fe', '%D9%A1%D9%A2', '%EF%BC%91', '%F0%9F%98%80', "1'%20OR%20'1'='1", '1;DROP%20TABLE%20agents',
  '$%7Bjndi:ldap%7D', 'a'.repeat(190), '1'.repeat(150),
];

/** Malformed uuids for `{uuid}`-style path parameters. */
export const BAD_UUIDS: readonly string[] = [
  '0', '-1', '1', '00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '6f1d2c3b-8a7e-4f5a-9b0c-1d2e3f4a5b6', '6f1d2c3b-8a7e-4f5a-9b0c-1d2e3f4a5b6c7', '6f1d2c3b8a7e4f5a9b0c1d2e3f4a5b6c',
  '%7B6f1d2c3b-8a7e-4f5a-9b0c-1d2e3f4a5b6c%7D', '6F1D2C3B-8A7E-4F5A-9B0C-1D2E3F4A5B6C', 'g%20f1d2c3b-8a7e-4f5a-9b0c-1d2e3f4a5b6c',
  'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz', '6f1d2c3b-8a7e-4f5a-9b0c-1d2e3f4a5b6%00', '%00', '..', '..%2F..%2Fetc%2Fpasswd',
  '%zz', '%ff', '\u00ff\u00fe\u00fd', '%E2%80%AE', 'null', "'%20OR%201=1--", 'x'.repeat(199),
];

/** Strings that tend to break parsers, SQL, mail headers or renderers. */
export const NASTY_STRINGS: readonly string[] = [
  '', ' ', '\t', '\u0000', 'a\u0000b', '\ud800', '\udfff\ud800', '\uffff', '\ufeff', '\u202e\u0644\u0627', '👩‍👩‍👧‍👦',
  'Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǫ̗', 'ＡＢＣ', 'NaN', 'Infinity', '-0', '1e309', '0x1F', '1,5', 'true', 'null', 'undefined', '[]', '{}',
  "' OR 1=1 --", '"; DROP TABLE conversations; --', '%', '_', '\\', '%_\\', '.*', '(?i)', '$where', '{"$gt":""}',
  '../../../../etc/passwd', '..\\..\\windows\\win.ini', 'file:///etc/passwd', 'http://169.254.169.254/latest/meta-data/',
  '<script>alert(1)</script>', '<img src=x onerror=alert(1)>', 'javascript:alert(1)', '${jndi:ldap://x/a}', '{{7*7}}',
  '%s%s%s%n', 'Subject: injected\r\nBcc: victim@example.com', 'a\r\n\r\nbody', 'x@example.com\r\nBcc: y@example.com',
  'a@', '@b', 'a@b@c', 'a..b@example.com', '"quoted"@example.com', 'a@[127.0.0.1]', 'ünïcödé@exämple.com',
  'x'.repeat(1000), '9'.repeat(400), '30m', '-1h', '0h', '999999999999d', '1.5h', 'P1D',
];

export const HOSTILE_FILENAMES: readonly string[] = [
  '../../../../etc/passwd', '..\\..\\..\\windows\\win.ini', '/etc/shadow', 'C:\\boot.ini', '....//....//x.txt',
  '%2e%2e%2fx.txt', 'x.txt\u0000.png', '', '.', '..', '.htaccess', 'CON', 'aux.txt', 'nul', ' ', 'a'.repeat(1000),
  '\u202egnp.exe', 'file name with spaces.png', 'new\r\nline.png', 'quote".png', 'semi;colon.png', '漢字.png',
  '\u00ff\u00fe\u00e9.png', '<script>.svg', 'x.svg', 'x.html', 'x.php', 'x.exe', 'no-extension', '.png', 'x.png.',
];

/** Values of every JSON type, for a field that expects a different one. */
export const ANY_JSON: readonly unknown[] = [
  0, -1, 1.5, -0.0001, 2147483648, -2147483649, 9007199254740993, 1e21, 1e308, -1e308, true, false, null, '', '1', 'abc',
  '2147483648', [], [null], [1, 'a'], [[[]]], {}, { a: 1 }, { $gt: '' }, { __proto__x: 1 }, ['x'.repeat(10)],
];

/** Unknown properties to add to a body. */
export const EXTRA_KEYS: readonly string[] = [
  'id', 'uuid', 'created_at', 'admin', 'is_admin', 'role', 'permissions', 'api_secret', 'password', 'deleted_at',
  'constructor', 'prototype', '__proto__', 'toString', 'hasOwnProperty', 'x'.repeat(500), '', ' ', '\u0000', '漢字', '$where',
];

/**
 * Seeded samples from fast-check: full-Unicode strings, JSON values of any shape and odd doubles,
 * picked from later by the generator. The same seed gives the same corpus.
 */
export function sampleCorpus(seed: number): { strings: string[]; json: unknown[]; numbers: number[] } {
  const strings = fc.sample(fc.oneof(fc.string({ unit: 'binary', maxLength: 60 }), fc.string({ unit: 'grapheme', maxLength: 30 }), fc.emailAddress(), fc.webUrl()), {
    seed,
    numRuns: 300,
  });
  const json = fc.sample(fc.jsonValue({ maxDepth: 4 }), { seed: seed + 1, numRuns: 200 });
  const numbers = fc
    .sample(fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.maxSafeInteger(), fc.constantFrom(-0, 0.1, 2 ** 31, 2 ** 53)), {
      seed: seed + 2,
      numRuns: 200,
    })
    .filter((n) => Number.isFinite(n));
  return { strings, json, numbers };
}

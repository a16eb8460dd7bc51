import { simpleParser } from 'mailparser';
import { autoReplyReason, bareIds, isDeliveryReport, isOwnLoop, readDeliveryReport, splitName } from '../../src/modules/mail-inbound/email-classifier.js';

const headersOf = async (lines: string[]) => (await simpleParser(`${lines.join('\r\n')}\r\n\r\nbody\r\n`)).headers;

test('bareIds takes every bracketed id, without duplicates', () => {
  expect(bareIds('<a@x> <b@y>\r\n <a@x>')).toEqual(['a@x', 'b@y']);
  expect(bareIds(['<a@x>', '<c@z>'])).toEqual(['a@x', 'c@z']);
  expect(bareIds('plain@id')).toEqual(['plain@id']);
  expect(bareIds(undefined)).toEqual([]);
});

test('auto-replies are recognised by their headers', async () => {
  expect(autoReplyReason(await headersOf(['Auto-Submitted: auto-replied']))).toMatch(/Auto-Submitted/);
  expect(autoReplyReason(await headersOf(['Auto-Submitted: no']))).toBeNull();
  expect(autoReplyReason(await headersOf(['Precedence: bulk']))).toMatch(/Precedence/);
  expect(autoReplyReason(await headersOf(['Precedence: list']))).toBeNull();
  expect(autoReplyReason(await headersOf(['X-Autoreply: yes']))).toBe('X-Autoreply');
  expect(autoReplyReason(await headersOf(['X-Auto-Response-Suppress: DR, OOF']))).toBe('X-Auto-Response-Suppress');
  expect(autoReplyReason(await headersOf(['X-Auto-Response-Suppress: DR']))).toBeNull();
  expect(autoReplyReason(await headersOf(['Subject: hello']))).toBeNull();
});

test('the loop header counts only with one of our addresses', async () => {
  const own = new Set(['support@acme.test']);
  expect(isOwnLoop(await headersOf(['X-Libredesk-Loop-Prevention: Support@Acme.test']), 'X-Libredesk-Loop-Prevention', own)).toBe(true);
  expect(isOwnLoop(await headersOf(['X-Libredesk-Loop-Prevention: other@else.test']), 'X-Libredesk-Loop-Prevention', own)).toBe(false);
});

test('delivery reports: type, original Message-ID, action and reason', async () => {
  expect(isDeliveryReport(await headersOf(['Content-Type: multipart/report; report-type=delivery-status; boundary=x']))).toBe(true);
  expect(isDeliveryReport(await headersOf(['Content-Type: multipart/report; report-type=disposition-notification; boundary=x']))).toBe(false);
  const raw =
    'Subject: x\r\n\r\n--b\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1\r\n  user unknown\r\n--b\r\nMessage-ID: <orig@acme.test>\r\n';
  expect(readDeliveryReport(raw)).toEqual({ originalIds: ['orig@acme.test'], failed: true, reason: '550 5.1.1 user unknown' });
  expect(readDeliveryReport('S: x\r\n\r\nAction: delayed\r\nStatus: 4.4.1\r\n').failed).toBe(false);
});

test('display names split into first and last name', () => {
  expect(splitName('Jane Q Customer')).toEqual({ firstName: 'Jane', lastName: 'Q Customer' });
  expect(splitName('"Cher"')).toEqual({ firstName: 'Cher', lastName: '' });
  expect(splitName(undefined)).toEqual({ firstName: '', lastName: '' });
});

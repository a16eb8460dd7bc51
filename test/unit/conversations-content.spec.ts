import { htmlToPlainText, messagePreview, sanitizeMessageHtml } from '../../src/modules/conversations/messages/message-content.js';
import { MAX_SNOOZE_MS, parseSnoozeDuration } from '../../src/modules/conversations/snooze/snooze-duration.js';

describe('parseSnoozeDuration', () => {
  test.each([
    ['30m', 30 * 60_000],
    ['2h', 2 * 3_600_000],
    ['3d', 3 * 86_400_000],
    ['1h30m', 90 * 60_000],
    ['1.5h', 90 * 60_000],
    ['90s', 90_000],
    ['1d2h3m4s', 86_400_000 + 2 * 3_600_000 + 3 * 60_000 + 4_000],
    [' 2H ', 2 * 3_600_000],
    ['500ms', 500],
  ])('%s', (text, ms) => {
    expect(parseSnoozeDuration(text)).toBe(ms);
  });

  test.each(['', '0m', '0h0m', '-1h', '1', 'h', '1w', 'abc', '1h 30m', '1..5h', 'tomorrow', '999999d', '2025-01-01T00:00:00Z', '1h30'])(
    'rejects %j',
    (text) => {
      expect(parseSnoozeDuration(text)).toBeNull();
    },
  );

  test('accepts the maximum and rejects beyond it', () => {
    expect(parseSnoozeDuration('366d')).toBe(MAX_SNOOZE_MS);
    expect(parseSnoozeDuration('367d')).toBeNull();
  });
});

describe('message content', () => {
  test('removes scripts, event handlers, styles and script URLs', () => {
    const html = sanitizeMessageHtml(
      '<p onclick="steal()">Hi <b>there</b><script>alert(1)</script></p><a href="javascript:alert(1)">x</a>' +
        '<img src="cid:abc" onerror="y()"><style>p{color:red}</style><iframe src="https://e.com"></iframe>',
    );
    expect(html).toBe('<p>Hi <b>there</b></p><a>x</a><img src="cid:abc" />');
  });

  test('keeps links and adds rel to target=_blank', () => {
    expect(sanitizeMessageHtml('<a href="https://e.com" target="_blank">link</a>')).toBe(
      '<a href="https://e.com" target="_blank" rel="noopener noreferrer">link</a>',
    );
  });

  test('plain text is escaped and keeps line breaks', () => {
    expect(sanitizeMessageHtml('a < b & c\nnext')).toBe('a &lt; b &amp; c<br />next');
    expect(htmlToPlainText(sanitizeMessageHtml('a < b & c\nnext'))).toBe('a < b & c\nnext');
  });

  test('text content has no markup and no link URLs', () => {
    const html = sanitizeMessageHtml('<h1>Title</h1><p>See <a href="https://e.com/x">the docs</a>.</p><ul><li>one</li><li>two</li></ul>');
    expect(htmlToPlainText(html)).toBe('Title\n\nSee the docs.\n\n * one\n * two');
  });

  test('preview flattens whitespace and is bounded', () => {
    expect(messagePreview('  a\n\n b  ')).toBe('a b');
    const long = messagePreview('x'.repeat(1000));
    expect(long.length).toBe(300);
    expect(long.endsWith('…')).toBe(true);
  });
});

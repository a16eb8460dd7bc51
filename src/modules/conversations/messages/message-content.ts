import { compile } from 'html-to-text';
import sanitizeHtml from 'sanitize-html';

const SANITIZE_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [...sanitizeHtml.defaults.allowedTags, 'img', 'del', 'ins'],
  allowedAttributes: {
    a: ['href', 'name', 'target', 'rel', 'title'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    td: ['colspan', 'rowspan', 'align'],
    th: ['colspan', 'rowspan', 'align'],
    '*': ['dir', 'lang'],
  },
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  allowedSchemesByTag: { img: ['http', 'https', 'cid'] },
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  transformTags: {
    a: (tagName, attribs) => ({
      tagName,
      attribs: attribs.target ? { ...attribs, rel: 'noopener noreferrer' } : attribs,
    }),
  },
};

const LOOKS_LIKE_HTML = /<\/?[a-z][^>]*>|&[a-z]+;|&#\d+;/i;

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Message HTML with scripts, styles, event handlers and script URLs removed. Plain text (no markup)
 * is escaped and keeps its line breaks.
 */
export function sanitizeMessageHtml(input: string): string {
  const html = LOOKS_LIKE_HTML.test(input) ? input : escapeHtml(input).replace(/\r?\n/g, '<br />');
  return sanitizeHtml(html, SANITIZE_OPTIONS).trim();
}

/** Compiled once: html-to-text's `convert` would build its selector tree again for every message. */
const toPlainText = compile({
  wordwrap: false,
  selectors: [
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'img', format: 'skip' },
    { selector: 'h1', options: { uppercase: false } },
    { selector: 'h2', options: { uppercase: false } },
    { selector: 'h3', options: { uppercase: false } },
    { selector: 'h4', options: { uppercase: false } },
    { selector: 'h5', options: { uppercase: false } },
    { selector: 'h6', options: { uppercase: false } },
    { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
  ],
});

/** The plain-text rendering of message HTML: no markup, no link URLs, no images. */
export function htmlToPlainText(html: string): string {
  return toPlainText(html).trim();
}

/** How much of a message the conversation keeps as its `last_message` preview. */
const PREVIEW_LENGTH = 300;

export function messagePreview(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= PREVIEW_LENGTH ? flat : `${flat.slice(0, PREVIEW_LENGTH - 1)}…`;
}

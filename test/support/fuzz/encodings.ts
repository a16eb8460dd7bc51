import { HOSTILE_FILENAMES } from './hostile.js';
import { multipartBody, type Part } from './multipart.js';
import type { FuzzOperation } from './operations.js';
import type { Rng } from './rng.js';

export type Caller = 'admin' | 'agent' | 'bad-auth';

/** A request while it is being built and broken; `render` turns it into bytes. */
export interface Draft {
  op: FuzzOperation;
  method: string;
  pathParams: Record<string, string>;
  pathShape?: string;
  /** Query pairs, already percent-encoded (or deliberately not). */
  query: Array<[string, string]>;
  headers: Record<string, string>;
  caller: Caller;
  json?: unknown;
  /** Raw JSON text spliced in as the value of `field` (nesting too deep to build as objects). */
  rawJson?: { field: string; text: string };
  parts?: { fields: Record<string, string>; file?: { name: string; filename: string; contentType: string; content?: Buffer } };
  /** Final bytes chosen by an encoding mutation, overriding the default encoding. */
  encoded?: { body?: Buffer; contentType?: string };
}

export const PNG_1X1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

/** Percent-encodes the UTF-8 bytes (a lone surrogate becomes U+FFFD, as a client library would send it). */
export const percent = (s: string) =>
  [...Buffer.from(s, 'utf8')]
    .map((b) => (/[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');

const PLACEHOLDER = '"__fuzz_raw_fragment__"';

export function jsonText(d: Draft): string {
  if (!d.rawJson || !d.json || typeof d.json !== 'object' || Array.isArray(d.json)) {
    return d.rawJson && d.json === undefined ? d.rawJson.text : (JSON.stringify(d.json) ?? '');
  }
  const text = JSON.stringify({ ...d.json, [d.rawJson.field]: '__fuzz_raw_fragment__' });
  return text.replace(PLACEHOLDER, d.rawJson.text);
}

function multipartParts(d: Draft): Part[] {
  const parts: Part[] = Object.entries(d.parts?.fields ?? {}).map(([name, content]) => ({ name, content }));
  const file = d.parts?.file;
  if (file) parts.push({ name: file.name, filename: file.filename, contentType: file.contentType, content: file.content ?? PNG_1X1 });
  return parts;
}

/** The body as a well-behaved client would send it. */
export function defaultEncoding(d: Draft, boundary = 'fuzzboundary7MA4YWxkTrZu0gW'): { body: Buffer; contentType: string } | undefined {
  if (d.parts) return multipartBody(multipartParts(d), { boundary });
  if (d.json === undefined && !d.rawJson) return undefined;
  return { body: Buffer.from(jsonText(d), 'utf8'), contentType: 'application/json' };
}

const flatFields = (d: Draft): Array<[string, string]> => {
  if (d.parts) return Object.entries(d.parts.fields);
  if (!d.json || typeof d.json !== 'object') return [['value', String(d.json)]];
  return Object.entries(d.json).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]);
};

interface EncodingMutation {
  weight: number;
  applies: (d: Draft) => boolean;
  apply: (d: Draft, ctx: { rng: Rng }) => string;
}

const hasJsonBody = (d: Draft) => d.op.body?.contentType === 'application/json' || (d.json !== undefined && !d.parts);

export const encodingMutations: Record<string, EncodingMutation> = {
  'encoding.malformed-json': {
    weight: 5,
    applies: hasJsonBody,
    apply: (d, { rng }) => {
      const text = jsonText(d) || '{}';
      const variants: Array<[string, string]> = [
        ['truncated', text.slice(0, Math.max(1, Math.floor(text.length / 2)))],
        ['trailing-comma', text.replace(/}$/, ',}')],
        ['single-quotes', text.replace(/"/g, "'")],
        ['unquoted-keys', text.replace(/"(\w+)":/g, '$1:')],
        ['nan-literal', '{"a":NaN,"b":Infinity,"c":-Infinity}'],
        ['comment', `/* c */${text}// end`],
        ['bom', `\ufeff${text}`],
        ['bad-escape', '{"message":"\\x41\\u12","note":"\\q"}'],
        ['concatenated', `${text}${text}`],
        ['whitespace', ' \n\t '],
        ['long-number', `{"inbox_id":${'9'.repeat(5000)}}`],
        ['control-char', '{"message":"a\u0001b\nc"}'],
        ['proto', '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}'],
        ['duplicate-keys', text.replace(/^\{/, '{"name":1,"name":"dup",')],
        ['garbage', '\u0000\u0001\u00ff<<>>'],
        ['lone-quote', '"'],
        ['number', '123abc'],
      ];
      const [name, body] = rng.pick(variants);
      d.encoded = { body: Buffer.from(body, 'utf8'), contentType: 'application/json' };
      return name;
    },
  },
  'encoding.invalid-utf8': {
    weight: 3,
    applies: (d) => d.op.body !== undefined || d.json !== undefined,
    apply: (d, { rng }) => {
      const bytes = rng.pick([[0xff], [0xfe, 0xff], [0xc0, 0xaf], [0xe0, 0x80, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0x80]]);
      const encoded = defaultEncoding(d) ?? { body: Buffer.from('{"x":"y"}'), contentType: 'application/json' };
      const text = encoded.body;
      const at = text.indexOf('":"') >= 0 ? text.indexOf('":"') + 3 : text.indexOf('\r\n\r\n') >= 0 ? text.indexOf('\r\n\r\n') + 4 : text.length;
      d.encoded = { body: Buffer.concat([text.subarray(0, at), Buffer.from(bytes), text.subarray(at)]), contentType: encoded.contentType };
      return bytes.map((b) => b.toString(16)).join(' ');
    },
  },
  'encoding.content-type': {
    weight: 5,
    applies: (d) => d.op.body !== undefined || d.json !== undefined,
    apply: (d, { rng }) => {
      const text = d.parts ? JSON.stringify(Object.fromEntries(flatFields(d))) : jsonText(d);
      const form = flatFields(d)
        .map(([k, v]) => `${percent(k)}=${percent(v)}`)
        .join('&');
      const xml = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><body>${flatFields(d)
        .map(([k, v]) => `<${k}>${v}</${k}>`)
        .join('')}&e;</body>`;
      const variants: Array<[string, string | undefined, Buffer]> = [
        ['text/plain', 'text/plain', Buffer.from(text)],
        ['form', 'application/x-www-form-urlencoded', Buffer.from(form)],
        ['xml', 'application/xml', Buffer.from(xml)],
        ['text-xml', 'text/xml; charset=utf-8', Buffer.from(xml)],
        ['none', undefined, Buffer.from(text)],
        ['utf16', 'application/json; charset=utf-16', Buffer.from(`\ufeff${text}`, 'utf16le')],
        ['latin1', 'application/json; charset=iso-8859-1', Buffer.from(text.replace(/"([^"]*)"/, '"é$1"'), 'latin1')],
        ['upper-case', 'APPLICATION/JSON', Buffer.from(text)],
        ['semicolons', 'application/json;;;', Buffer.from(text)],
        ['vendor', 'application/vnd.api+json', Buffer.from(text)],
        ['octet-stream', 'application/octet-stream', Buffer.from(text)],
        ['image', 'image/png', PNG_1X1],
        ['garbage', '\u00ff/\u00fe', Buffer.from(text)],
        ['multipart-no-boundary', 'multipart/form-data', Buffer.from(text)],
        ['multipart-fields', undefined, Buffer.alloc(0)],
        ['json-on-multipart', 'application/json', Buffer.from(text)],
      ];
      const [name, contentType, body] = rng.pick(variants);
      if (name === 'multipart-fields') {
        const m = multipartBody(
          flatFields(d).map(([k, v]) => ({ name: k, content: v })),
          { boundary: `b${rng.hex(12)}` },
        );
        d.encoded = { body: m.body, contentType: m.contentType };
      } else d.encoded = { body, contentType };
      return name;
    },
  },
  'encoding.oversize': {
    weight: 0.3,
    applies: (d) => d.op.body !== undefined,
    apply: (d) => {
      if (d.parts) {
        const m = multipartBody([
          { name: 'files', filename: 'big.bin', contentType: 'application/octet-stream', content: Buffer.alloc(3 * 1024 * 1024, 0x61) },
        ]);
        d.encoded = m;
        return '3 MiB file';
      }
      d.encoded = { body: Buffer.from(JSON.stringify({ message: 'A'.repeat(1_300_000) })), contentType: 'application/json' };
      return '1.3 MB JSON';
    },
  },
  'encoding.multipart': {
    weight: 6,
    applies: (d) => d.parts !== undefined,
    apply: (d, { rng }) => {
      const fields = Object.entries(d.parts!.fields).map(([name, content]): Part => ({ name, content }));
      const file = (over: Partial<Part> = {}): Part => ({ name: 'files', filename: 'a.png', contentType: 'image/png', content: PNG_1X1, ...over });
      const boundary = `b${rng.hex(16)}`;
      const kind = rng.pick([
        'no-file',
        'hostile-filename',
        'raw-byte-filename',
        'rfc5987-filename',
        'many-files',
        'wrong-field',
        'many-fields',
        'file-types',
        'empty-file',
        'no-boundary',
        'wrong-boundary',
        'unterminated',
        'garbage',
        'empty-body',
        'nameless-part',
        'duplicate-fields',
        'header-injection',
        'huge-part-headers',
      ]);
      let parts: Part[] = [...fields, file()];
      let options: { boundary?: string; close?: boolean } = { boundary };
      let contentType: string | undefined;
      let raw: Buffer | undefined;
      switch (kind) {
        case 'no-file':
          parts = fields;
          break;
        case 'hostile-filename':
          parts = [...fields, file({ filename: rng.pick(HOSTILE_FILENAMES) })];
          break;
        case 'raw-byte-filename':
          parts = [...fields, file({ filename: '\u00ff\u00fe\u00c0\u00af.png' })];
          break;
        case 'rfc5987-filename':
          parts = [...fields, { name: `files"; filename*=UTF-8''%ff%fe..%2F..%2Fx.png; x="`, contentType: 'image/png', content: PNG_1X1 }];
          break;
        case 'many-files':
          parts = [...fields, file(), file({ filename: 'b.png' }), file({ filename: 'c.png' })];
          break;
        case 'wrong-field':
          parts = [...fields, file({ name: rng.pick(['file', 'files[]', 'avatar', '']) })];
          break;
        case 'many-fields':
          parts = [...Array.from({ length: 60 }, (_, i) => ({ name: `f${i}`, content: 'x' })), file()];
          break;
        case 'file-types':
          parts = [
            ...fields,
            rng.pick([
              file({ filename: 'x.svg', contentType: 'image/svg+xml', content: '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>' }),
              file({ filename: 'x.html', contentType: 'text/html', content: '<script>alert(1)</script>' }),
              file({ filename: 'x.png', contentType: 'image/png', content: Buffer.from('MZ\u0090\u0000 not a png') }),
              file({ filename: 'x.exe', contentType: 'application/x-msdownload', content: Buffer.from('MZ') }),
              file({ contentType: '' }),
              file({ contentType: '\u00ff/\u00fe' }),
              file({ contentType: 'image/png; charset=../../x' }),
            ]),
          ];
          break;
        case 'empty-file':
          parts = [...fields, file({ content: Buffer.alloc(0) })];
          break;
        case 'no-boundary':
          contentType = 'multipart/form-data';
          break;
        case 'wrong-boundary':
          contentType = `multipart/form-data; boundary=other${boundary}`;
          break;
        case 'unterminated':
          options = { boundary, close: false };
          break;
        case 'garbage':
          raw = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data\r\n\r\n\u0000\u00ff--${boundary}`, 'latin1');
          break;
        case 'empty-body':
          raw = Buffer.alloc(0);
          break;
        case 'nameless-part':
          parts = [...fields, { name: '', content: 'x' }, file({ name: '' })];
          break;
        case 'duplicate-fields':
          parts = [...fields, ...fields.map((f) => ({ ...f, content: 'second' })), file()];
          break;
        case 'header-injection':
          parts = [...fields, file({ filename: 'a.png"\r\nContent-Type: text/html\r\n\r\n<script>' })];
          break;
        case 'huge-part-headers':
          parts = [...fields, file({ headers: [`X-Long: ${'h'.repeat(100_000)}`] })];
          break;
      }
      const m = multipartBody(parts, options);
      d.encoded = { body: raw ?? m.body, contentType: contentType ?? m.contentType };
      return kind;
    },
  },
};

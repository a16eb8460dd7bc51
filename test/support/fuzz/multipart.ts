export interface Part {
  name: string;
  /** A file part when set (may be hostile: traversal, NUL, raw bytes written as latin1). */
  filename?: string;
  contentType?: string;
  content: Buffer | string;
  /** Extra raw header lines for the part. */
  headers?: string[];
}

/**
 * Writes a multipart/form-data body by hand, so the fuzzer controls every byte: the part headers
 * (latin1, so raw non-UTF-8 bytes survive), the boundary and whether the closing boundary comes.
 */
export function multipartBody(parts: Part[], options: { boundary?: string; close?: boolean } = {}): { body: Buffer; contentType: string } {
  const boundary = options.boundary ?? `----fuzz${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = `Content-Disposition: form-data; name="${part.name}"${part.filename !== undefined ? `; filename="${part.filename}"` : ''}`;
    const lines = [`--${boundary}`, disposition];
    if (part.contentType !== undefined) lines.push(`Content-Type: ${part.contentType}`);
    lines.push(...(part.headers ?? []));
    chunks.push(Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'));
    chunks.push(typeof part.content === 'string' ? Buffer.from(part.content, 'utf8') : part.content);
    chunks.push(Buffer.from('\r\n'));
  }
  if (options.close !== false) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

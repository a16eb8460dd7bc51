// node bench/report.mjs results.jsonl
// Turns the JSON lines `npm run bench` prints into the Markdown tables of BENCHMARKS.md: figures per
// size, growth of p50 at one connection, and the issue's targets. It reports; it judges nothing else.
import { readFileSync } from 'node:fs';

const lines = readFileSync(process.argv[2] ?? 0, 'utf8')
  .split('\n')
  .filter((l) => l.startsWith('{'))
  .map((l) => JSON.parse(l));
const sizes = [...new Set(lines.map((l) => l.size))].sort((a, b) => a - b);
const rows = lines.filter((l) => l.scenario !== 'peak_rss');
const rss = new Map(lines.filter((l) => l.scenario === 'peak_rss').map((l) => [l.size, l]));
const find = (size, name) => rows.find((r) => r.size === size && r.scenario === name);
const fmt = (n) => (n === null || n === undefined ? '–' : Number(n).toLocaleString('en-US'));
const out = [];

for (const size of sizes) {
  out.push(`### ${fmt(size)} conversations, ${fmt(size * 5)} messages`, '');
  const before = rows.some((x) => x.size === size && x.before_rps !== undefined);
  const extra = before ? ' before rps | before p50 ms | before ratio |' : '';
  out.push(
    `| scenario | conns | app rps | app p50 ms | app p99 ms | baseline rps | baseline p50 ms | ratio |${extra}`,
    `|---|---|---|---|---|---|---|---|${before ? '---|---|---|' : ''}`,
  );
  for (const r of rows.filter((x) => x.size === size)) {
    const [name, conns] = r.scenario.split('@c');
    const old = before ? ` ${fmt(r.before_rps)} | ${r.before_p50_ms} | ${r.before_ratio ?? '–'} |` : '';
    out.push(`| ${name} | ${conns} | ${fmt(r.rps)} | ${r.p50_ms} | ${r.p99_ms} | ${fmt(r.baseline_rps)} | ${r.baseline_p50_ms} | ${r.ratio ?? '–'} |${old}`);
  }
  const m = rss.get(size);
  if (m) out.push(`| peak RSS (app / baseline) | 64 | ${m.app_peak_rss_mb} MB / ${m.baseline_peak_rss_mb} MB | | | | | |`);
  out.push('');
}

if (sizes.length > 1) {
  out.push('### Growth: p50 at 1 connection', '');
  out.push(
    `| scenario | ${sizes.map((s) => `${fmt(s)} conv.`).join(' | ')} | ${fmt(sizes[0])} → ${fmt(sizes.at(-1))} |`,
    `|---${'|---'.repeat(sizes.length + 1)}|`,
  );
  for (const r of rows.filter((x) => x.size === sizes[0] && x.scenario.endsWith('@c1'))) {
    const p50s = sizes.map((s) => find(s, r.scenario)?.p50_ms);
    const growth = p50s.at(-1) / Math.max(p50s[0], 1);
    out.push(`| ${r.scenario.replace('@c1', '')} | ${p50s.map((p) => `${p} ms`).join(' | ')} | ${growth.toFixed(2)}× |`);
  }
  out.push('');
}

out.push('### Targets', '');
out.push(`| target | ${sizes.map((s) => `${fmt(s)} conv.`).join(' | ')} |`, `|---${'|---'.repeat(sizes.length)}|`);
const per = (label, f) => out.push(`| ${label} | ${sizes.map((s) => f(s) ?? '–').join(' | ')} |`);
const ratio16 = (s, n) => find(s, `${n}@c16`)?.ratio;
per('GET /conversations/{uuid} ≥ 0.5× baseline (c16)', (s) => (ratio16(s, 'conversation_get') != null ? `${ratio16(s, 'conversation_get')}×` : null));
per('/health ≥ 0.7× baseline (c16)', (s) => (ratio16(s, 'health') != null ? `${ratio16(s, 'health')}×` : null));
per('/agents/me ≥ 0.7× baseline (c16)', (s) => (ratio16(s, 'agents_me') != null ? `${ratio16(s, 'agents_me')}×` : null));
per('lists no slower than before (rps / before rps, c16, lowest of four)', (s) => {
  const rs = ['conversations_all_page1', 'conversations_all_page1000', 'conversations_assigned', 'messages_list']
    .map((n) => find(s, `${n}@c16`))
    .filter((x) => x?.before_rps)
    .map((x) => x.rps / x.before_rps);
  return rs.length ? `${Math.min(...rs).toFixed(2)}×` : null;
});
per('page 1000 ≤ 2× page 1 (p50, c16)', (s) => {
  const deep = find(s, 'conversations_all_page1000@c16');
  const first = find(s, 'conversations_all_page1@c16');
  return deep && first ? `${(deep.p50_ms / Math.max(first.p50_ms, 1)).toFixed(2)}×` : null;
});
per('≥ 1,000 replies accepted per second (c64)', (s) =>
  find(s, 'messages_post@c64') ? `${fmt(find(s, 'messages_post@c64').rps)}/s (baseline ${fmt(find(s, 'messages_post@c64').baseline_rps)}/s)` : null,
);
per('peak RSS ≤ 250 MB', (s) => (rss.get(s) ? `${rss.get(s).app_peak_rss_mb} MB` : null));
out.push('');
process.stdout.write(`${out.join('\n')}\n`);

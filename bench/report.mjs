// node bench/report.mjs results.jsonl
// Turns the JSON lines `npm run bench` prints into the Markdown tables of BENCHMARKS.md: figures per
// size, growth of p50 at one connection, and the issue's targets. It reports; it judges nothing else.
import { readFileSync } from 'node:fs';

const lines = readFileSync(process.argv[2] ?? 0, 'utf8')
  .split('\n')
  .filter((l) => l.startsWith('{'))
  .map((l) => JSON.parse(l))
  .filter((l) => typeof l.scenario === 'string');
const sizes = [...new Set(lines.map((l) => l.size))].sort((a, b) => a - b);
const latency = lines.filter((l) => l.scenario.startsWith('search_latency_'));
const rows = lines.filter((l) => l.scenario !== 'peak_rss' && l.scenario !== 'seed' && !l.scenario.startsWith('search_latency_'));
const seeds = lines.filter((l) => l.scenario === 'seed');
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

if (seeds.length) {
  out.push('### Seeding (`npm run cli -- seed`)', '', '| conversations | messages | time |', '|---|---|---|');
  for (const x of seeds)
    out.push(`| ${fmt(x.size)} | ${fmt(x.messages)} | ${x.seconds} s (${(x.seconds / 60).toFixed(1)} min)${x.reused ? ', seeded earlier' : ''} |`);
  out.push('');
}

const latencyKinds = ['common', 'rare', 'absent', 'phrase'];
if (latency.length) {
  out.push(
    '### Message search latency at 1 connection (`search_latency`: p50 / p95 ms over 200 sequential requests; in brackets the bare newest-30 trigram query)',
    '',
  );
  out.push(`| query | ${sizes.map((s) => `${fmt(s * 5)} messages`).join(' | ')} |`, `|---${'|---'.repeat(sizes.length)}|`);
  for (const kind of latencyKinds) {
    const cell = (s) => {
      const x = latency.find((l) => l.size === s && l.scenario === `search_latency_${kind}@c1`);
      return x ? `\`${x.query}\` (${Math.round(x.share_of_newest_5000 * 100)}%): ${x.p50_ms} / ${x.p95_ms} (bare ${x.baseline_p50_ms ?? '–'})` : '–';
    };
    out.push(`| ${kind} | ${sizes.map(cell).join(' | ')} |`);
  }
  out.push('');
}

const full = sizes.filter((s) => rss.has(s));
if (full.length > 1) {
  out.push('### Growth: p50 at 1 connection', '');
  out.push(
    `| scenario | ${full.map((s) => `${fmt(s)} conv.`).join(' | ')} | ${fmt(full[0])} → ${fmt(full.at(-1))} |`,
    `|---${'|---'.repeat(full.length + 1)}|`,
  );
  for (const r of rows.filter((x) => x.size === full[0] && x.scenario.endsWith('@c1'))) {
    const p50s = full.map((s) => find(s, r.scenario)?.p50_ms);
    const growth = p50s.at(-1) / Math.max(p50s[0], 1);
    out.push(`| ${r.scenario.replace('@c1', '')} | ${p50s.map((p) => `${p} ms`).join(' | ')} | ${growth.toFixed(2)}× |`);
  }
  out.push('');
}

out.push('### Targets', '');
const targetSizes = full.length ? full : sizes;
out.push(`| target | ${targetSizes.map((s) => `${fmt(s)} conv.`).join(' | ')} |`, `|---${'|---'.repeat(targetSizes.length)}|`);
const per = (label, f) => out.push(`| ${label} | ${targetSizes.map((s) => f(s) ?? '–').join(' | ')} |`);
const ratio16 = (s, n) => find(s, `${n}@c16`)?.ratio;
const ratioCell = (n) => (s) => (ratio16(s, n) != null ? `${ratio16(s, n)}×` : null);
per('GET /conversations/{uuid} ≥ 0.5× baseline (c16)', ratioCell('conversation_get'));
per('/health ≥ 0.7× baseline (c16)', ratioCell('health'));
per('/agents/me ≥ 0.7× baseline (c16)', ratioCell('agents_me'));
per('replies (POST messages) ≥ 0.8× baseline (c16)', ratioCell('messages_post'));
per('message search, common word ≥ 0.5× bare newest-30 (c16)', ratioCell('search_messages_common'));
per('message search, absent word ≥ 0.5× bare newest-30 (c16)', ratioCell('search_messages_absent'));
per('message search p50 < 20 ms at 1 connection (common / absent)', (s) => {
  const at = (kind) => latency.find((l) => l.size === s && l.scenario === `search_latency_${kind}@c1`) ?? find(s, `search_messages_${kind}@c1`);
  const [a, b] = [at('common'), at('absent')];
  return a && b ? `${a.p50_ms} / ${b.p50_ms} ms` : null;
});
per('page 1000 ≤ 2× page 1 (p50, c16)', (s) => {
  const deep = find(s, 'conversations_all_page1000@c16');
  const first = find(s, 'conversations_all_page1@c16');
  return deep && first ? `${(deep.p50_ms / Math.max(first.p50_ms, 1)).toFixed(2)}×` : null;
});
per('seeding < 5 min', (s) => {
  const x = seeds.find((y) => y.size === s);
  return x ? `${(x.seconds / 60).toFixed(1)} min` : null;
});
per('peak RSS < 250 MB (whole run, up to 64 connections)', (s) => (rss.get(s) ? `${rss.get(s).app_peak_rss_mb} MB` : null));
out.push('');
process.stdout.write(`${out.join('\n')}\n`);

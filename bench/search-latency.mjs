// Message search latency at one connection: p50/p95 of GET /api/v1/messages/search for a common word,
// a rare word, an absent word and a quoted phrase, on the app and (for comparison) on the bare
// baseline, whose search is the newest 30 trigram substring matches. One JSON line per query, like the
// other scenarios of bench/run.mjs, which calls it as the `search_latency` group.
//
// The seeded vocabulary is small (about 140 English stems, each in 10% or more of the messages), so the
// "rare" word is the rarest stem among the newest 5,000 messages (as a word of a message); the line gives each word's share.
// Each series is 200 requests, or fewer (at least 10) once it has run 30 s; the line gives the count.
import pg from 'pg';

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];

/** A series stops early once it has run this long (the bare ILIKE phrase search takes seconds at 5M messages). */
const SERIES_BUDGET_MS = 30_000;

async function latencies(base, auth, query, requests) {
  const url = `${base}/api/v1/messages/search?query=${encodeURIComponent(query)}`;
  const times = [];
  const deadline = Date.now() + SERIES_BUDGET_MS;
  for (let i = 0; i < requests + 5 && (i < 15 || Date.now() < deadline); i += 1) {
    const start = process.hrtime.bigint();
    const res = await fetch(url, { headers: { authorization: auth } });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status}`);
    // The first few warm the plan cache and the connection.
    if (i >= 5) times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((x, y) => x - y);
  return { p50: Number(percentile(times, 50).toFixed(2)), p95: Number(percentile(times, 95).toFixed(2)), n: times.length };
}

/**
 * @param {{ databaseUrl: string, appUrl: string, baselineUrl?: string, auth: string, size: number,
 *           requests?: number, write?: (line: object) => void }} options
 * @returns {Promise<object[]>} the lines written
 */
export async function searchLatency({
  databaseUrl,
  appUrl,
  baselineUrl,
  auth,
  size,
  requests = 200,
  write = (l) => process.stdout.write(`${JSON.stringify(l)}\n`),
}) {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  const { rows } = await db.query(
    `SELECT word, ndoc FROM ts_stat($$SELECT to_tsvector('english', text_content) FROM conversation_messages
                                       WHERE type <> 'activity' ORDER BY id DESC LIMIT 5000$$)
      WHERE length(word) >= 4 AND word ~ '^[a-z]+$' ORDER BY ndoc, word LIMIT 1`,
  );
  // The stem as the user would type it: the first word in a recent message that starts with it.
  const stem = rows[0]?.word;
  const surface = stem
    ? (
        await db.query(
          `SELECT lower((regexp_match(text_content, '\\m(' || $1 || '[a-z]*)', 'i'))[1]) AS word
             FROM conversation_messages WHERE type <> 'activity' AND text_content ~* ('\\m' || $1) ORDER BY id DESC LIMIT 1`,
          [stem],
        )
      ).rows[0]?.word
    : null;
  const rare = surface ?? 'kettle';
  const share = async (query) =>
    Number(
      (
        await db.query(
          `SELECT round(avg((to_tsvector('english', text_content) @@ websearch_to_tsquery('english', $1))::int), 4) AS share
             FROM (SELECT text_content FROM conversation_messages WHERE type <> 'activity' ORDER BY id DESC LIMIT 5000) m`,
          [query],
        )
      ).rows[0].share,
    );
  const queries = [
    ['common', 'invoice'],
    ['rare', rare],
    ['absent', 'zebrafish'],
    ['phrase', '"tracking number"'],
  ];
  const lines = [];
  for (const [kind, query] of queries) {
    const app = await latencies(appUrl, auth, query, requests);
    const base = baselineUrl ? await latencies(baselineUrl, auth, query, requests) : null;
    const line = {
      scenario: `search_latency_${kind}@c1`,
      size,
      query,
      share_of_newest_5000: await share(query),
      p50_ms: app.p50,
      p95_ms: app.p95,
      requests: app.n,
      ...(base && { baseline_p50_ms: base.p50, baseline_p95_ms: base.p95, baseline_requests: base.n }),
    };
    write(line);
    lines.push(line);
  }
  await db.end();
  return lines;
}

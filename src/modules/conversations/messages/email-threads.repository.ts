import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

const UUID = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})@/i;

/** Named queries that place an email in a conversation by its Message-IDs. */
@Injectable()
export class EmailThreadsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * The conversation of the newest stored message (incoming or outgoing) whose Message-ID is one of
   * `ids`; failing that, a conversation whose thread id (`<conversation uuid>@domain`, what a first
   * reply's In-Reply-To carries) is one of them.
   */
  async conversationFor(ids: string[]): Promise<number | null> {
    if (ids.length === 0) return null;
    const byMessage: Array<{ conversation_id: number }> = await this.dataSource.query(
      `SELECT conversation_id FROM conversation_messages
        WHERE source_id = ANY($1::text[]) AND type IN ('incoming', 'outgoing')
        ORDER BY created_at DESC, id DESC LIMIT 1`,
      [ids],
    );
    if (byMessage[0]) return byMessage[0].conversation_id;
    const uuids = [...new Set(ids.map((id) => UUID.exec(id)?.[1]?.toLowerCase()).filter((u): u is string => !!u))];
    if (uuids.length === 0) return null;
    const byThread: Array<{ id: number }> = await this.dataSource.query(`SELECT id FROM conversations WHERE uuid = ANY($1::uuid[]) ORDER BY id DESC LIMIT 1`, [
      uuids,
    ]);
    return byThread[0]?.id ?? null;
  }

  /** An outgoing email by its Message-ID (what a bounce refers to). */
  async outgoingByMessageId(ids: string[]): Promise<{ id: number; status: string } | null> {
    if (ids.length === 0) return null;
    const rows: Array<{ id: number; status: string }> = await this.dataSource.query(
      `SELECT id, status FROM conversation_messages WHERE source_id = ANY($1::text[]) AND type = 'outgoing' ORDER BY id DESC LIMIT 1`,
      [ids],
    );
    return rows[0] ?? null;
  }
}

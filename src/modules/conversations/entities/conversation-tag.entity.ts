import { CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import type { ConversationEntity } from './conversation.entity.js';
import type { TagEntity } from './tag.entity.js';

/** A tag on a conversation. */
@Entity('conversation_tags')
@Index('conversation_tags_tag_idx', ['tagId'])
export class ConversationTagEntity {
  @PrimaryColumn({ name: 'conversation_id', type: 'integer', primaryKeyConstraintName: 'conversation_tags_pkey' })
  conversationId: number;

  @PrimaryColumn({ name: 'tag_id', type: 'integer', primaryKeyConstraintName: 'conversation_tags_pkey' })
  tagId: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @ManyToOne('ConversationEntity', (conversation: ConversationEntity) => conversation.tagLinks, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'conversation_id', foreignKeyConstraintName: 'conversation_tags_conversation_id_fkey' })
  conversation?: Relation<ConversationEntity>;

  @ManyToOne('TagEntity', (tag: TagEntity) => tag.conversationLinks, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tag_id', foreignKeyConstraintName: 'conversation_tags_tag_id_fkey' })
  tag?: Relation<TagEntity>;
}

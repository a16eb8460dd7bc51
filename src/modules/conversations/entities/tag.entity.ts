import { Check, Column, CreateDateColumn, Entity, Index, OneToMany, PrimaryGeneratedColumn, type Relation, UpdateDateColumn } from 'typeorm';
import type { ConversationTagEntity } from './conversation-tag.entity.js';

/** A tag name, unique case-insensitively; created over `/tags` or the first time a conversation is tagged with it. */
@Entity('tags')
// unique lower(name) (expression index)
@Index('tags_name_lower_key', { synchronize: false })
@Check('tags_name_check', 'length(name) <= 140')
export class TagEntity {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'tags_pkey' })
  id: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ type: 'text' })
  name: string;

  @OneToMany('ConversationTagEntity', (link: ConversationTagEntity) => link.tag)
  conversationLinks?: Relation<ConversationTagEntity>[];
}

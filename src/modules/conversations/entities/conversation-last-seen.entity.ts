import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import type { AgentEntity } from '../../agents/entities/agent.entity.js';
import type { ConversationEntity } from './conversation.entity.js';

/** When an agent last opened a conversation: drives their unread count. */
@Entity('conversation_last_seen')
export class ConversationLastSeenEntity {
  @PrimaryColumn({ name: 'conversation_id', type: 'integer', primaryKeyConstraintName: 'conversation_last_seen_pkey' })
  conversationId: number;

  @PrimaryColumn({ name: 'user_id', type: 'integer', primaryKeyConstraintName: 'conversation_last_seen_pkey' })
  userId: number;

  @Column({ name: 'last_seen_at', type: 'timestamptz', default: () => 'now()' })
  lastSeenAt: Date;

  @ManyToOne('ConversationEntity', (conversation: ConversationEntity) => conversation.lastSeen, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'conversation_id', foreignKeyConstraintName: 'conversation_last_seen_conversation_id_fkey' })
  conversation?: Relation<ConversationEntity>;

  @ManyToOne('AgentEntity', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'conversation_last_seen_user_id_fkey' })
  user?: Relation<AgentEntity>;
}

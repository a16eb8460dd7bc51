import { CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import type { UserEntity } from '../../../shared/database/entities/user.entity.js';
import type { ConversationEntity } from './conversation.entity.js';

/** Who wrote in a conversation (agents and the contact), in order of their first message. */
@Entity('conversation_participants')
export class ConversationParticipantEntity {
  @PrimaryColumn({ name: 'conversation_id', type: 'integer', primaryKeyConstraintName: 'conversation_participants_pkey' })
  conversationId: number;

  @PrimaryColumn({ name: 'user_id', type: 'integer', primaryKeyConstraintName: 'conversation_participants_pkey' })
  userId: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @ManyToOne('ConversationEntity', (conversation: ConversationEntity) => conversation.participants, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'conversation_id', foreignKeyConstraintName: 'conversation_participants_conversation_id_fkey' })
  conversation?: Relation<ConversationEntity>;

  @ManyToOne('UserEntity', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'conversation_participants_user_id_fkey' })
  user?: Relation<UserEntity>;
}

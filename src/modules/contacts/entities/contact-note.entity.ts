import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation, UpdateDateColumn } from 'typeorm';
import type { AgentEntity } from '../../agents/entities/agent.entity.js';
import type { ContactEntity } from './contact.entity.js';

/** A private note an agent wrote about a contact. */
@Entity('contact_notes')
// (contact_id, created_at DESC) in the migration: TypeORM has no DESC and does not compare it
@Index('contact_notes_contact_idx', ['contactId', 'createdAt'])
export class ContactNoteEntity {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'contact_notes_pkey' })
  id: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ name: 'contact_id', type: 'integer' })
  contactId: number;

  @ManyToOne('ContactEntity', (contact: ContactEntity) => contact.notes, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'contact_id', foreignKeyConstraintName: 'contact_notes_contact_id_fkey' })
  contact?: Relation<ContactEntity>;

  @Column({ type: 'text' })
  note: string;

  /** The author. */
  @Column({ name: 'user_id', type: 'integer' })
  userId: number;

  @ManyToOne('AgentEntity', { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'contact_notes_user_id_fkey' })
  user?: Relation<AgentEntity>;
}

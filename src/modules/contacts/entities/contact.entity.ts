import { ChildEntity, Column, Index, OneToMany, type Relation } from 'typeorm';
import { UserEntity } from '../../../shared/database/entities/user.entity.js';
import type { ContactNoteEntity } from './contact-note.entity.js';

/** A customer: a `users` row of type `contact` (livechat visitors, type `visitor`, share its email uniqueness). */
@ChildEntity('contact')
// unique lower(email) among live contacts and visitors without an external id (expression index)
@Index('users_contact_email_key', { synchronize: false })
@Index('users_external_user_id_key', ['externalUserId'], {
  unique: true,
  where: `type IN ('contact', 'visitor') AND deleted_at IS NULL AND external_user_id IS NOT NULL`,
})
// (created_at DESC, id DESC) in the migration, the contact list's order: TypeORM has no DESC and does not compare it
@Index('users_contact_created_idx', ['createdAt', 'id'], { where: `type = 'contact' AND deleted_at IS NULL` })
export class ContactEntity extends UserEntity {
  @Column({ type: 'text', nullable: true })
  country: string | null;

  @Column({ name: 'external_user_id', type: 'text', nullable: true })
  externalUserId: string | null;

  @OneToMany('ContactNoteEntity', (note: ContactNoteEntity) => note.contact)
  notes?: Relation<ContactNoteEntity>[];
}

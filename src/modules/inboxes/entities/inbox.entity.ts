import { Check, Column, CreateDateColumn, Entity, Generated, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';

export type InboxChannel = 'email' | 'livechat';

/** A channel conversations arrive on; `config` holds the channel's settings (SMTP for email). */
@Entity('inboxes')
@Unique('inboxes_uuid_key', ['uuid'])
@Check('inboxes_name_check', 'length(name) <= 140')
@Check('inboxes_channel_check', `channel IN ('email', 'livechat')`)
export class InboxEntity {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'inboxes_pkey' })
  id: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ type: 'uuid' })
  @Generated('uuid')
  uuid: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  channel: InboxChannel;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  @Column({ name: 'csat_enabled', type: 'boolean', default: false })
  csatEnabled: boolean;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  config: Record<string, unknown>;

  @Column({ type: 'text', default: '' })
  from: string;

  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt: Date | null;
}

import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A key/value application setting (Libredesk's `settings`); no operation of this API reads it yet. */
@Entity('settings')
export class SettingEntity {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'settings_pkey' })
  key: string;

  @Column({ type: 'jsonb' })
  value: unknown;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

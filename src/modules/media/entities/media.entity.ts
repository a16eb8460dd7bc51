import { Check, Column, CreateDateColumn, Entity, Generated, Index, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';

export type MediaStoreKind = 's3' | 'fs';
export type MediaDisposition = 'inline' | 'attachment';

/**
 * An uploaded file's record; the bytes are in the store. `model_type`/`model_id` name what it is
 * attached to (a message) without a foreign key, as in Libredesk.
 */
@Entity('media')
@Unique('media_uuid_key', ['uuid'])
@Index('media_model_idx', ['modelType', 'modelId'])
@Check('media_store_check', `store IN ('s3', 'fs')`)
@Check('media_filename_check', 'length(filename) <= 1000')
@Check('media_disposition_check', `disposition IN ('inline', 'attachment')`)
export class MediaEntity {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'media_pkey' })
  id: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ type: 'uuid' })
  @Generated('uuid')
  uuid: string;

  @Column({ type: 'text' })
  store: MediaStoreKind;

  @Column({ type: 'text' })
  filename: string;

  @Column({ name: 'content_type', type: 'text' })
  contentType: string;

  @Column({ name: 'content_id', type: 'text', default: '' })
  contentId: string;

  @Column({ name: 'model_id', type: 'integer', nullable: true })
  modelId: number | null;

  @Column({ name: 'model_type', type: 'text', nullable: true })
  modelType: string | null;

  @Column({ type: 'text', nullable: true })
  disposition: MediaDisposition | null;

  @Column({ type: 'integer' })
  size: number;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  meta: Record<string, unknown>;
}

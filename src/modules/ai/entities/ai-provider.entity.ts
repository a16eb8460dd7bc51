import { Check, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';

/** A completion provider; `config.api_key` holds the sealed API key. */
@Entity('ai_providers')
@Unique('ai_providers_name_key', ['name'])
@Check('ai_providers_provider_check', `provider IN ('openai')`)
export class AiProviderEntity {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'ai_providers_pkey' })
  id: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  provider: 'openai';

  @Column({ type: 'jsonb', default: () => "'{}'" })
  config: { api_key?: string } & Record<string, unknown>;

  @Column({ name: 'is_default', type: 'boolean', default: false })
  isDefault: boolean;
}

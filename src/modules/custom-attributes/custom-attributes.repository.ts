import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { Conflict } from '../../shared/http/errors.js';
import { type AppliesTo, CustomAttributeEntity } from './entities/custom-attribute.entity.js';

export type CustomAttributeValues = Pick<CustomAttributeEntity, 'name' | 'description' | 'appliesTo' | 'key' | 'dataType' | 'values' | 'regex' | 'regexHint'>;
export type CustomAttributeChanges = Partial<Pick<CustomAttributeEntity, 'name' | 'description' | 'values' | 'regex' | 'regexHint'>>;

const DUPLICATE = 'Custom attribute already exists';

/** Reads and writes of `custom_attribute_definitions`. */
@Injectable()
export class CustomAttributesRepository {
  constructor(@InjectRepository(CustomAttributeEntity) private readonly definitions: Repository<CustomAttributeEntity>) {}

  /** Newest change first, as upstream lists them. */
  list(appliesTo?: AppliesTo): Promise<CustomAttributeEntity[]> {
    return this.definitions.find({ where: appliesTo ? { appliesTo } : {}, order: { updatedAt: 'DESC', id: 'DESC' } });
  }

  findById(id: number): Promise<CustomAttributeEntity | null> {
    return this.definitions.findOneBy({ id });
  }

  /** The definitions of `keys` for one model. */
  findByKeys(appliesTo: AppliesTo, keys: string[]): Promise<CustomAttributeEntity[]> {
    if (keys.length === 0) return Promise.resolve([]);
    return this.definitions.findBy({ appliesTo, key: In(keys) });
  }

  /**
   * 409 when the key is already defined for the same model: the unique constraint decides (ON CONFLICT DO
   * NOTHING, so concurrent creates cannot both win and the loser logs no failed query).
   */
  async insert(values: CustomAttributeValues): Promise<CustomAttributeEntity> {
    const result = await this.definitions.createQueryBuilder().insert().values(values).orIgnore().returning(['id']).execute();
    const id = (result.raw as { id: number }[])[0]?.id;
    const row = id === undefined ? null : await this.findById(id);
    if (!row) throw new Conflict(DUPLICATE);
    return row;
  }

  async update(id: number, changes: CustomAttributeChanges): Promise<CustomAttributeEntity | null> {
    const set = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
    const result = await this.definitions.update({ id }, { ...set, updatedAt: () => 'now()' });
    return result.affected ? this.findById(id) : null;
  }

  async remove(id: number): Promise<boolean> {
    const result = await this.definitions.delete({ id });
    return (result.affected ?? 0) > 0;
  }
}

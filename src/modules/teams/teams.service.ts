import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { InvalidInput } from '../../shared/http/errors.js';
import { TeamEntity } from './entities/team.entity.js';

export interface TeamRef {
  id: number;
  name: string;
  emoji: string | null;
  conversation_assignment_type: 'Round robin' | 'Manual';
}

@Injectable()
export class TeamsService {
  constructor(@InjectRepository(TeamEntity) private readonly teams: Repository<TeamEntity>) {}

  async findById(id: number): Promise<TeamRef | null> {
    const team = await this.teams.findOne({ where: { id } });
    return team ? { id: team.id, name: team.name, emoji: team.emoji, conversation_assignment_type: team.conversationAssignmentType } : null;
  }

  /**
   * Resolves team references as agent requests give them: ids (numbers or numeric strings) or names.
   * An unknown team is a 400 naming it.
   */
  async resolveTeamIds(refs: Array<string | number>): Promise<number[]> {
    if (refs.length === 0) return [];
    const ids = new Set<number>();
    const names = new Set<string>();
    for (const ref of refs) {
      if (typeof ref === 'number' || /^\d{1,9}$/.test(ref)) ids.add(Number(ref));
      else names.add(ref.trim());
    }
    const found = await this.teams.find({
      select: { id: true, name: true },
      where: [...(ids.size ? [{ id: In([...ids]) }] : []), ...(names.size ? [{ name: In([...names]) }] : [])],
    });
    const missing = [
      ...[...ids].filter((id) => !found.some((t) => t.id === id)),
      ...[...names].filter((n) => !found.some((t) => t.name === n)),
    ];
    if (missing.length) throw new InvalidInput(`Team not found: ${missing.join(', ')}`, { fields: { teams: `unknown team ${missing.join(', ')}` } });
    return [...new Set(found.map((t) => t.id))];
  }
}

import { Injectable } from '@nestjs/common';
import type { Principal } from '../../shared/auth/principal.js';
import { parseSearchQuery } from './search-query.js';
import { toContactSearchResult, toConversationSearchResult, toMessageSearchResult } from './search.mapper.js';
import { SearchRepository } from './search.repository.js';

/** Search over conversations, messages and contacts: ranked, limited, and filtered by conversation access. */
@Injectable()
export class SearchService {
  constructor(private readonly repository: SearchRepository) {}

  async conversations(principal: Principal, query: unknown) {
    const rows = await this.repository.findConversations(parseSearchQuery(query), principal);
    return rows.map(toConversationSearchResult);
  }

  async messages(principal: Principal, query: unknown) {
    const rows = await this.repository.findMessages(parseSearchQuery(query), principal);
    return rows.map(toMessageSearchResult);
  }

  async contacts(query: unknown) {
    const rows = await this.repository.findContacts(parseSearchQuery(query));
    return rows.map(toContactSearchResult);
  }
}

import { Body, Controller, Delete, Get, Post, Put, Query, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor, type UploadedMultipartFile } from '@nestjs/platform-fastify/multipart';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, RequirePermission } from '../../shared/auth/decorators.js';
import { Permission } from '../../shared/auth/permissions.js';
import type { Principal } from '../../shared/auth/principal.js';
import { IfMatch, type Precondition } from '../../shared/http/conditional.js';
import { parseFilterParam, parseSort } from '../../shared/http/list-filters.js';
import { parsePage } from '../../shared/http/pagination.js';
import { ApiIfMatch, ApiListFilters } from '../../shared/openapi/extensions.js';
import { CONTACT_LIST_FIELDS, DEFAULT_CONTACT_SORT } from './contacts.repository.js';
import { IdParam } from '../../shared/http/params.js';
import { ContactNotesService } from './contact-notes.service.js';
import { ContactsService } from './contacts.service.js';
import { BlockContactDto, CreateContactNoteDto, UpdateContactDto } from './dto/contact-request.dto.js';

@ApiTags('Contacts')
@Controller('api/v1/contacts')
export class ContactsController {
  constructor(
    private readonly contacts: ContactsService,
    private readonly notes: ContactNotesService,
  ) {}

  @Get()
  @RequirePermission(Permission.ContactsReadAll)
  @ApiOperation({ operationId: 'handleGetContacts' })
  @ApiListFilters(Object.keys(CONTACT_LIST_FIELDS), DEFAULT_CONTACT_SORT)
  list(@Query() query: Record<string, unknown>) {
    return this.contacts.list(
      parsePage(query),
      parseFilterParam(query.filters, CONTACT_LIST_FIELDS),
      parseSort(query, CONTACT_LIST_FIELDS, DEFAULT_CONTACT_SORT),
    );
  }

  @Get(':id')
  @RequirePermission(Permission.ContactsRead)
  @ApiOperation({ operationId: 'handleGetContact' })
  get(@IdParam() id: number) {
    return this.contacts.get(id);
  }

  @Put(':id')
  @RequirePermission(Permission.ContactsWrite)
  @ApiOperation({ operationId: 'handleUpdateContact' })
  @ApiIfMatch()
  @UseInterceptors(FileInterceptor('files'))
  update(
    @IdParam() id: number,
    @Body() dto: UpdateContactDto,
    @UploadedFile() file: UploadedMultipartFile | undefined,
    @IfMatch() ifMatch: Precondition | null,
  ) {
    const avatar = file?.buffer ? { filename: file.originalname, contentType: file.mimetype, content: file.buffer } : null;
    return this.contacts.update(id, dto, avatar, ifMatch);
  }

  @Put(':id/block')
  @RequirePermission(Permission.ContactsBlock)
  @ApiOperation({ operationId: 'handleBlockContact' })
  @ApiIfMatch()
  block(@IdParam() id: number, @Body() dto: BlockContactDto, @IfMatch() ifMatch: Precondition | null) {
    return this.contacts.setEnabled(id, dto.enabled, ifMatch);
  }

  @Get(':id/notes')
  @ApiTags('Contact notes')
  @RequirePermission(Permission.ContactNotesRead)
  @ApiOperation({ operationId: 'handleGetContactNotes' })
  listNotes(@IdParam() id: number) {
    return this.notes.list(id);
  }

  @Post(':id/notes')
  @ApiTags('Contact notes')
  @RequirePermission(Permission.ContactNotesWrite)
  @ApiOperation({ operationId: 'handleCreateContactNote' })
  createNote(@CurrentUser() user: Principal, @IdParam() id: number, @Body() dto: CreateContactNoteDto) {
    return this.notes.create(user, id, dto.note);
  }

  @Delete(':id/notes/:note_id')
  @ApiTags('Contact notes')
  @RequirePermission(Permission.ContactNotesDelete)
  @ApiOperation({ operationId: 'handleDeleteContactNote' })
  deleteNote(@CurrentUser() user: Principal, @IdParam() id: number, @IdParam('note_id') noteId: number) {
    return this.notes.remove(user, id, noteId);
  }
}

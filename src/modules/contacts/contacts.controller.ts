import { Body, Controller, Delete, Get, Post, Put, Query, Res, UploadedFile, UseInterceptors } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { FileInterceptor, type UploadedMultipartFile } from '@nestjs/platform-fastify/multipart';
import { ApiBody, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser, RequirePermission } from '../../shared/auth/decorators.js';
import { Permission } from '../../shared/auth/permissions.js';
import type { Principal } from '../../shared/auth/principal.js';
import { IfMatch, type Precondition } from '../../shared/http/conditional.js';
import { parseFilterParam, parseSort } from '../../shared/http/list-filters.js';
import { parsePage } from '../../shared/http/pagination.js';
import { ApiIfMatch, ApiListFilters } from '../../shared/openapi/extensions.js';
import { ApiEnvelopeResponse, ApiErrorEnvelopeResponses } from '../../shared/openapi/envelope.js';
import { CONTACT_LIST_FIELDS, DEFAULT_CONTACT_SORT } from './contacts.repository.js';
import { IdParam } from '../../shared/http/params.js';
import { ContactLifecycleService } from './contact-lifecycle.service.js';
import { ContactNotesService } from './contact-notes.service.js';
import { ContactsService } from './contacts.service.js';
import { ContactExportDto } from './dto/contact-export.dto.js';
import { BlockContactDto, CreateContactDto, CreateContactNoteDto, UpdateContactDto } from './dto/contact-request.dto.js';

@ApiTags('Contacts')
@Controller('api/v1/contacts')
export class ContactsController {
  constructor(
    private readonly contacts: ContactsService,
    private readonly notes: ContactNotesService,
    private readonly lifecycle: ContactLifecycleService,
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

  @Post()
  @RequirePermission(Permission.ContactsWrite)
  @ApiOperation({
    operationId: 'handleCreateContact',
    summary: 'Create a contact',
    description: '`first_name` and `email` are required. An email already held by another contact or visitor (case-insensitively) is a 409.',
  })
  @ApiBody({ type: CreateContactDto })
  @ApiResponse({ status: 200, description: 'The new contact', schema: { $ref: '#/components/schemas/ContactResponse' } })
  @ApiErrorEnvelopeResponses(400, 401, 403, 409)
  create(@Body() dto: CreateContactDto) {
    return this.contacts.create(dto);
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

  @Delete(':id')
  @RequirePermission(Permission.ContactsDelete)
  @ApiOperation({
    operationId: 'handleDeleteContact',
    summary: 'Delete a contact and all their data',
    description:
      'A hard delete in one transaction: the contact, their conversations with messages, participants and tag links, their notes and media; the stored files are removed after commit. Records `contact.deleted`.',
  })
  @ApiParam({ name: 'id', type: 'integer' })
  @ApiEnvelopeResponse('boolean')
  @ApiErrorEnvelopeResponses(400, 401, 403, 404)
  remove(@CurrentUser() user: Principal, @IdParam() id: number) {
    return this.lifecycle.remove(user, id);
  }

  @Get(':id/export')
  @RequirePermission(Permission.ContactsExport)
  @ApiOperation({
    operationId: 'handleExportContact',
    summary: "Export a contact's data",
    description:
      'Everything held about the contact, for a data-protection request: profile, notes, conversations with their non-private messages and attachments (signed URLs). ' +
      "Upstream's unmerged design serves the bare document; here it is in the success envelope like every other answer (so clients parse it the same way), " +
      'with `Content-Disposition: attachment; filename="contact-{id}-data.json"` so a browser saves it as a file.',
  })
  @ApiParam({ name: 'id', type: 'integer' })
  @ApiEnvelopeResponse(ContactExportDto)
  @ApiErrorEnvelopeResponses(400, 401, 403, 404)
  async export(@IdParam() id: number, @Res({ passthrough: true }) reply: FastifyReply) {
    const document = await this.lifecycle.export(id);
    reply.header('Content-Disposition', `attachment; filename="contact-${id}-data.json"`).header('Cache-Control', 'no-store');
    return document;
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

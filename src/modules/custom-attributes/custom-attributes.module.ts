import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CustomAttributeValidator } from './custom-attribute-validator.js';
import { CustomAttributesController } from './custom-attributes.controller.js';
import { CustomAttributesRepository } from './custom-attributes.repository.js';
import { CustomAttributesService } from './custom-attributes.service.js';
import { CustomAttributeEntity } from './entities/custom-attribute.entity.js';

/** Custom attribute definitions; other modules validate values through the exported CustomAttributeValidator. */
@Module({
  imports: [TypeOrmModule.forFeature([CustomAttributeEntity])],
  controllers: [CustomAttributesController],
  providers: [CustomAttributesService, CustomAttributesRepository, CustomAttributeValidator],
  exports: [CustomAttributesService, CustomAttributeValidator],
})
export class CustomAttributesModule {}

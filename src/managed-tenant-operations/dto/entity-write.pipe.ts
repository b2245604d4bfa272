import { Injectable, PipeTransform } from '@nestjs/common';
import { DtoClass } from '../../edm/entity-write';
import { EntityWrite, parseEntityWrite } from '../../edm/entity-write';
import { managedTenantOperation } from '../../edm/model';
import {
  CreateManagedTenantOperationDto,
  UpdateManagedTenantOperationDto,
} from './managed-tenant-operation.dtos';

/** Validates a request body against the model and turns it into an EntityWrite. */
@Injectable()
class EntityWritePipe implements PipeTransform<unknown, EntityWrite> {
  constructor(private readonly dto: DtoClass) {}

  transform(body: unknown): EntityWrite {
    return parseEntityWrite(managedTenantOperation, this.dto, body);
  }
}

export const CreateBodyPipe = new EntityWritePipe(CreateManagedTenantOperationDto);
export const UpdateBodyPipe = new EntityWritePipe(UpdateManagedTenantOperationDto);
/** A PUT carries the whole entity, as a create does: every required property, validated alike. */
export const ReplaceBodyPipe = CreateBodyPipe;

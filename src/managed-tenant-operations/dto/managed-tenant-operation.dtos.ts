import {
  buildComplexRequestDtos,
  buildEntityRequestDto,
  buildResponseDtos,
} from '../../entity-sets/dto-classes';
import { managedTenantOperation } from '../../edm/model';

/** Request and response classes of managedTenantOperation, derived from the model (src/edm). */
const complexInputFor = buildComplexRequestDtos();

export const CreateManagedTenantOperationDto = buildEntityRequestDto(
  managedTenantOperation,
  'create',
  complexInputFor,
  'CreateManagedTenantOperation',
);

export const UpdateManagedTenantOperationDto = buildEntityRequestDto(
  managedTenantOperation,
  'update',
  complexInputFor,
  'UpdateManagedTenantOperation',
);

const responses = buildResponseDtos(managedTenantOperation);
export const ManagedTenantOperationResponseDto = responses.entity;
export const ManagedTenantOperationCollectionResponseDto = responses.collection;

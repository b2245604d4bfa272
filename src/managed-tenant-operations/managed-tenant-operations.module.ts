import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DYNAMIC_PROPERTIES_COLUMN } from '../database/entity-schema';
import { managedTenantOperation } from '../edm/model';
import { CollectionRequestReader } from '../odata/query/collection-request';
import { QueryChecker } from '../odata/query/query-checker';
import { SkipTokenCodec } from '../odata/query/skip-token';
import { managedTenantOperationSchema } from './managed-tenant-operation.schema';
import { ManagedTenantOperationsController } from './managed-tenant-operations.controller';
import { ManagedTenantOperationsRepository } from './managed-tenant-operations.repository';
import { ManagedTenantOperationsService } from './managed-tenant-operations.service';

@Module({
  imports: [TypeOrmModule.forFeature([managedTenantOperationSchema])],
  controllers: [ManagedTenantOperationsController],
  providers: [
    ManagedTenantOperationsService,
    ManagedTenantOperationsRepository,
    {
      provide: CollectionRequestReader,
      inject: [SkipTokenCodec],
      useFactory: (skipTokens: SkipTokenCodec) =>
        new CollectionRequestReader(
          new QueryChecker({
            entity: managedTenantOperation,
            dynamicColumn: DYNAMIC_PROPERTIES_COLUMN,
          }),
          skipTokens,
        ),
    },
  ],
})
export class ManagedTenantOperationsModule {}

import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { managedTenantOperationSchema } from './managed-tenant-operation.schema';
import { ManagedTenantOperationsController } from './managed-tenant-operations.controller';
import { ManagedTenantOperationsRepository } from './managed-tenant-operations.repository';
import { ManagedTenantOperationsService } from './managed-tenant-operations.service';

@Module({
  imports: [TypeOrmModule.forFeature([managedTenantOperationSchema])],
  controllers: [ManagedTenantOperationsController],
  providers: [ManagedTenantOperationsService, ManagedTenantOperationsRepository],
})
export class ManagedTenantOperationsModule {}

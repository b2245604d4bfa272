import { Global, Module } from '@nestjs/common';
import { SerialWriter } from './serial-writer';

/** The one write queue of the process, shared by every repository and by atomic $batch groups. */
@Global()
@Module({ providers: [SerialWriter], exports: [SerialWriter] })
export class DatabaseModule {}

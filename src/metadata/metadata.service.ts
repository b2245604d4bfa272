import { Injectable } from '@nestjs/common';
import { ServiceCapabilities } from '../edm/csdl';
import { buildCsdlJson } from '../edm/csdl-json';
import { buildCsdlXml } from '../edm/csdl-xml';
import { SERVED_ENTITY_TYPES } from '../edm/model';

/** What the service supports, as $metadata declares it. */
export const SERVICE_CAPABILITIES: ServiceCapabilities = { batch: true };

/** The metadata documents, generated once from the model at start. */
@Injectable()
export class MetadataService {
  readonly csdlXml = buildCsdlXml(SERVED_ENTITY_TYPES, SERVICE_CAPABILITIES);
  readonly csdlJson = buildCsdlJson(SERVED_ENTITY_TYPES, SERVICE_CAPABILITIES);
}

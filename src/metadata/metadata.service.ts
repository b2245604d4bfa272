import { Injectable } from '@nestjs/common';
import { ServiceCapabilities } from '../edm/csdl';
import { buildCsdlJson } from '../edm/csdl-json';
import { buildCsdlXml } from '../edm/csdl-xml';
import { CONTAINED_ENTITY_TYPES, SERVED_ENTITY_TYPES } from '../edm/model';

/** What the service supports, as $metadata declares it. */
export const SERVICE_CAPABILITIES: ServiceCapabilities = { batch: true };

/** The entity types $metadata describes: the sets' (each with its entity set) and the contained. */
const DESCRIBED_TYPES = [...SERVED_ENTITY_TYPES, ...CONTAINED_ENTITY_TYPES];

/** The metadata documents, generated once from the model at start. */
@Injectable()
export class MetadataService {
  readonly csdlXml = buildCsdlXml(DESCRIBED_TYPES, SERVICE_CAPABILITIES);
  readonly csdlJson = buildCsdlJson(DESCRIBED_TYPES, SERVICE_CAPABILITIES);
}

import { ApiProperty } from '@nestjs/swagger';

/** The Microsoft Graph error body, for the OpenAPI document. */
class ODataInnerError {
  @ApiProperty({ format: 'date-time' }) date!: string;
  @ApiProperty({ name: 'request-id', format: 'uuid' }) requestId!: string;
  @ApiProperty({ name: 'client-request-id' }) clientRequestId!: string;
}

class ODataErrorDetail {
  @ApiProperty({ example: 'invalidRequest' }) code!: string;
  @ApiProperty({ example: "'partnerTenantId' must be a Guid string" }) message!: string;
  @ApiProperty({ type: () => ODataInnerError }) innerError!: ODataInnerError;
}

export class ODataErrorResponse {
  @ApiProperty({ type: () => ODataErrorDetail }) error!: ODataErrorDetail;
}

import { Injectable, PipeTransform } from '@nestjs/common';
import { isGuid } from '../../edm/primitive-formats';

/** Keys are GUIDs stored in lower case; a GUID in a URL matches whatever its case. */
@Injectable()
export class EntityKeyPipe implements PipeTransform<string, string> {
  transform(key: string): string {
    return isGuid(key) ? key.toLowerCase() : key;
  }
}

import { Injectable, PipeTransform } from '@nestjs/common';
import { isGuid } from '../edm/primitive-formats';

/** Keys are GUIDs stored in lower case; a GUID in a URL matches whatever its case. */
export function entityKeyOf(key: string): string {
  return isGuid(key) ? key.toLowerCase() : key;
}

/** `entityKeyOf` as a pipe for `@Param('id', EntityKeyPipe)`. */
@Injectable()
export class EntityKeyPipe implements PipeTransform<string, string> {
  transform(key: string): string {
    return entityKeyOf(key);
  }
}

import { Injectable, PipeTransform } from '@nestjs/common';
import { InvalidRequestError } from '../common/errors';
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

/**
 * An Int32 key (a run's runNumber) for `@Param(…, Int32KeyPipe)`: digits within Int32's range,
 * else a 400 saying so (a key of the wrong type is a malformed URL, not a missing entity).
 */
@Injectable()
export class Int32KeyPipe implements PipeTransform<string, string> {
  transform(key: string): string {
    if (!/^[0-9]{1,10}$/.test(key) || Number(key) > 2_147_483_647) {
      throw new InvalidRequestError(`The key '${key}' is not an Int32.`);
    }
    return String(Number(key));
  }
}

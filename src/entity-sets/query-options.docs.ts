import { applyDecorators } from '@nestjs/common';
import { ApiProduces, ApiQuery, ApiQueryOptions } from '@nestjs/swagger';
import { holdsSecret } from '../edm/model';
import { MAX_EXPANDED_ITEMS } from '../odata/query/expand';
import { QueryDefinition } from './entity-set-definitions';

/** The OData query options of an entity set as Swagger UI shows them, with examples. */
export function queryOptionDocs(definition: QueryDefinition) {
  const { entity } = definition;
  const names = (keep: (name: string) => boolean) =>
    Object.keys(entity.properties).filter(keep).join(', ');
  const secrets = names((name) => holdsSecret(entity.properties[name]));
  const searchable = names((name) => Boolean(entity.properties[name].searchable));
  const expandable = Object.entries(entity.navigationProperties)
    .filter(([, navigation]) => navigation.expandable)
    .map(([name]) => name);
  return {
    filter: {
      name: '$filter',
      required: false,
      description:
        'OData filter expression. Properties reach into complex values; collections and ' +
        `navigations take any/all.${secrets ? ` ${secrets} cannot be used.` : ''}`,
      examples: definition.filterExamples,
    },
    search: {
      name: '$search',
      required: false,
      description: `Words and "phrases" over ${searchable || 'no property'}; AND, OR, NOT.`,
      example: '',
    },
    orderby: {
      name: '$orderby',
      required: false,
      description: 'e.g. `createdDateTime desc,name`',
      example: '',
    },
    select: {
      name: '$select',
      required: false,
      description: 'e.g. `name,status,result/isSuccess`',
      example: '',
    },
    top: {
      name: '$top',
      required: false,
      description: 'At most 999',
      schema: { type: 'integer', minimum: 0, maximum: 999 },
    },
    skip: { name: '$skip', required: false, schema: { type: 'integer', minimum: 0 } },
    count: {
      name: '$count',
      required: false,
      description: 'Adds @odata.count',
      schema: { type: 'boolean' },
    },
    skiptoken: {
      name: '$skiptoken',
      required: false,
      description: 'From @odata.nextLink; opaque.',
      schema: { type: 'string' },
    },
    expand: {
      name: '$expand',
      required: false,
      description:
        `Navigations to include: ${expandable.join(', ') || 'none'}, one level deep, with nested ` +
        '$select, $filter, $orderby, $top, $skip and $count, e.g. ' +
        '`results($filter=isSuccess eq false;$top=5;$count=true)`. At most ' +
        `${MAX_EXPANDED_ITEMS} items per expanded collection.`,
      example: '',
    },
  } satisfies Record<string, ApiQueryOptions>;
}

type QueryOptionDocs = ReturnType<typeof queryOptionDocs>;

/**
 * The query options of a collection read (without `$expand`), listed in Swagger UI in this
 * order. applyDecorators applies its decorators first to last, the reverse of decorators written
 * one above the other, hence the reversal.
 */
export function ApiCollectionQueries(docs: QueryOptionDocs): MethodDecorator {
  const options = [
    docs.filter,
    docs.search,
    docs.orderby,
    docs.select,
    docs.top,
    docs.skip,
    docs.count,
    docs.skiptoken,
  ];
  return applyDecorators(...options.reverse().map((option) => ApiQuery(option)));
}

/** The query options of a `$count` read, in that order (see ApiCollectionQueries). */
export function ApiCountQueries(docs: QueryOptionDocs): MethodDecorator {
  return applyDecorators(ApiQuery(docs.search), ApiQuery(docs.filter));
}

/**
 * A collection's answer formats in OpenAPI: JSON, or the whole collection as a CSV or NDJSON
 * file (`Accept`, or `$format`).
 */
export function CollectionFormats() {
  return applyDecorators(
    ApiProduces('application/json', 'text/csv', 'application/x-ndjson'),
    ApiQuery({
      name: '$format',
      required: false,
      enum: ['json', 'csv', 'ndjson'],
      description:
        '`csv` or `ndjson` (or `Accept: text/csv`, `application/x-ndjson`): every row as one file, streamed, no paging; `$select` decides the columns.',
    }),
  );
}

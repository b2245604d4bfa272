import { ApiQueryOptions } from '@nestjs/swagger';

/** The OData query options as Swagger UI shows them, with examples. */
export const QUERY_OPTIONS = {
  filter: {
    name: '$filter',
    required: false,
    description:
      'OData filter expression. Properties reach into complex values (result/isSuccess); ' +
      'collections take any/all. `credentials` cannot be used.',
    examples: {
      none: { value: '', summary: 'no filter' },
      status: { value: "status eq 'running'", summary: 'by status' },
      complex: {
        value: "status eq 'running' and target/allTenants eq true",
        summary: 'complex path',
      },
      lambda: {
        value: 'target/tenantIds/any(t: t eq 5c4b2f8e-1d3a-4e6b-9f7c-2a8d0e1b3c4d)',
        summary: 'lambda over a collection',
      },
      dates: { value: 'createdDateTime ge 2026-01-01T00:00:00Z', summary: 'dates' },
      text: {
        value: "startswith(name,'Apply') or contains(description,'baseline')",
        summary: 'text',
      },
    },
  },
  search: {
    name: '$search',
    required: false,
    description: 'Words and "phrases" over name, description and status; AND, OR, NOT.',
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
} satisfies Record<string, ApiQueryOptions>;

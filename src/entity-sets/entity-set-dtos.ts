import { Injectable, PipeTransform } from '@nestjs/common';
import { DtoClass, EntityWrite, parseActionBody, parseEntityWrite } from '../edm/entity-write';
import { EntityType } from '../edm/model';
import { BoundAction } from '../edm/model-bound-operations';
import {
  buildActionRequestDto,
  buildComplexRequestDtos,
  buildEntityRequestDto,
  buildResponseDtos,
} from './dto-classes';

/** The request and response classes of an entity type, derived from the model. */
export interface EntitySetDtos {
  readonly create: DtoClass;
  readonly update: DtoClass;
  readonly entity: DtoClass;
  readonly collection: DtoClass;
}

/** Complex types' request classes, shared by every entity type (one Swagger schema each). */
const complexInputFor = buildComplexRequestDtos();
const built = new Map<string, EntitySetDtos>();

export function entitySetDtos(entity: EntityType): EntitySetDtos {
  let dtos = built.get(entity.name);
  if (!dtos) {
    const typeName = capitalized(entity.name);
    const responses = buildResponseDtos(entity);
    dtos = {
      create: buildEntityRequestDto(entity, 'create', complexInputFor, `Create${typeName}`),
      update: buildEntityRequestDto(entity, 'update', complexInputFor, `Update${typeName}`),
      entity: responses.entity,
      collection: responses.collection,
    };
    built.set(entity.name, dtos);
  }
  return dtos;
}

const actionDtos = new Map<BoundAction, DtoClass>();

/** The request body class of a bound action with parameters (its Swagger schema too). */
export function actionRequestDto(action: BoundAction): DtoClass {
  let dto = actionDtos.get(action);
  if (!dto) {
    dto = buildActionRequestDto(
      action,
      complexInputFor,
      `${capitalized(action.binding.name)}${capitalized(action.name)}Request`,
    );
    actionDtos.set(action, dto);
  }
  return dto;
}

/** Validates a bound action's body against its parameters (the model's types). */
@Injectable()
export class ActionBodyPipe implements PipeTransform<unknown, Record<string, unknown>> {
  constructor(private readonly action: BoundAction) {}

  transform(body: unknown): Record<string, unknown> {
    return parseActionBody(this.action.name, actionRequestDto(this.action), body);
  }
}

/** Validates a request body against the model and turns it into an EntityWrite. */
@Injectable()
export class EntityWritePipe implements PipeTransform<unknown, EntityWrite> {
  constructor(
    private readonly entity: EntityType,
    private readonly dto: DtoClass,
  ) {}

  transform(body: unknown): EntityWrite {
    return parseEntityWrite(this.entity, this.dto, body);
  }
}

/**
 * The body pipes of an entity set: a PUT carries the whole entity, validated as a create; a
 * create through a navigation may leave out the foreign key the navigation implies.
 */
export function entityWritePipes(entity: EntityType): {
  create: EntityWritePipe;
  update: EntityWritePipe;
  replace: EntityWritePipe;
  createThrough: (foreignKey: string) => EntityWritePipe;
} {
  const dtos = entitySetDtos(entity);
  const create = new EntityWritePipe(entity, dtos.create);
  return {
    create,
    update: new EntityWritePipe(entity, dtos.update),
    replace: create,
    createThrough: (foreignKey) => {
      const dto = buildEntityRequestDto(
        entity,
        'create',
        complexInputFor,
        `Create${capitalized(entity.name)}Through${capitalized(foreignKey)}`,
        new Set([foreignKey]),
      );
      return new EntityWritePipe(entity, dto);
    },
  };
}

function capitalized(name: string): string {
  return name[0].toUpperCase() + name.slice(1);
}

import { Injectable } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { Caller } from '../auth/caller';

/**
 * The rules of one entity set beyond the model's: checks a write before it is applied (the
 * operations' rules refuse statements that do not parse, and changes to what a running operation
 * is running). A rule is a provider marked `@EntitySetRules(entitySetName)` in the module that
 * owns the rule; the set's service collects every such provider.
 */
export interface EntitySetPolicy {
  checkCreate?(caller: Caller, sent: Readonly<Record<string, unknown>>): Promise<void> | void;
  checkChange?(
    caller: Caller,
    id: string,
    sent: Readonly<Record<string, unknown>>,
    kind: 'update' | 'replace',
  ): Promise<void> | void;
}

/** Marks a provider as rules of the entity set named so. */
export const EntitySetRules = DiscoveryService.createDecorator<string>();

/**
 * Every provider marked `@EntitySetRules`, by entity set: found once, on first use (every
 * provider exists by then), so that a module above the entity sets adds rules without the sets
 * knowing it, and without installing them into the sets' services.
 */
@Injectable()
export class EntitySetRulesCatalog {
  private byEntitySet?: ReadonlyMap<string, readonly EntitySetPolicy[]>;

  constructor(private readonly discovery: DiscoveryService) {}

  rulesOf(entitySetName: string): readonly EntitySetPolicy[] {
    this.byEntitySet ??= this.discover();
    return this.byEntitySet.get(entitySetName) ?? [];
  }

  private discover(): ReadonlyMap<string, readonly EntitySetPolicy[]> {
    const found = new Map<string, EntitySetPolicy[]>();
    for (const wrapper of this.discovery.getProviders({ metadataKey: EntitySetRules.KEY })) {
      const entitySet = this.discovery.getMetadataByDecorator(EntitySetRules, wrapper);
      if (!entitySet || !wrapper.instance) continue;
      found.set(entitySet, [...(found.get(entitySet) ?? []), wrapper.instance as EntitySetPolicy]);
    }
    return found;
  }
}

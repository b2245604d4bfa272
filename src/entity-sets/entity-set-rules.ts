import { Injectable } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { Caller } from '../auth/caller';

/**
 * The rules of one entity set beyond the model's: checks a write before it is applied (the
 * operations' rules refuse statements that do not parse, and changes to what a running operation
 * is running), and completes what it stores (a schedule's computed next runs). A rule is a
 * provider marked `@EntitySetRules(entitySetName)` in the module that owns the rule; the set's
 * service collects every such provider.
 */
export interface EntitySetPolicy {
  checkCreate?(caller: Caller, sent: Readonly<Record<string, unknown>>): Promise<void> | void;
  checkChange?(
    caller: Caller,
    id: string,
    sent: Readonly<Record<string, unknown>>,
    kind: 'update' | 'replace',
  ): Promise<void> | void;
  /**
   * The properties a write stores, given what they would be (defaults filled in, a PATCH merged)
   * and what they were (undefined on create): fills in what the service computes inside them (a
   * schedule's next runs), and refuses what is only wrong as a whole. Runs in the write's
   * transaction, on the stored version it changes.
   */
  completeWrite?(
    properties: Readonly<Record<string, unknown>>,
    current: Readonly<Record<string, unknown>> | undefined,
  ): Record<string, unknown>;
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

import { GRAPH_NAMESPACE } from './model-structures';
import { declare, EntityType, StoredPropertiesOf } from './model-types';

/**
 * Microsoft Graph's `subscription`: a webhook for changes of an entity set, an entity
 * or a navigation. It is not an entity set of the family (no partner tenant or requestId of its
 * own, nothing to query): `/beta/subscriptions` serves it (src/subscriptions), and the model
 * gives it its validation, its OpenAPI schemas and its response shape. `clientState` is written,
 * sent with each notification and never returned (a secret the receiver checks).
 */
const subscriptionProperties = declare({
  id: { type: 'Edm.String', maxLength: 36, computed: true },
  resource: { type: 'Edm.String', maxLength: 2_048, required: true },
  changeType: { type: 'Edm.String', maxLength: 64, required: true },
  notificationUrl: { type: 'Edm.String', maxLength: 2_048, required: true },
  lifecycleNotificationUrl: { type: 'Edm.String', maxLength: 2_048 },
  expirationDateTime: { type: 'Edm.DateTimeOffset', required: true },
  clientState: { type: 'Edm.String', maxLength: 128, secret: true },
  latestSupportedTlsVersion: { type: 'Edm.String', maxLength: 16 },
  creatorId: { type: 'Edm.String', maxLength: 36, computed: true },
  applicationId: { type: 'Edm.String', maxLength: 36, computed: true },
});

export const subscription: EntityType<SubscriptionProperties> = {
  kind: 'entity',
  namespace: GRAPH_NAMESPACE,
  name: 'subscription',
  key: 'id',
  openType: false,
  entitySetName: 'subscriptions',
  properties: subscriptionProperties,
  navigationProperties: declare({}),
  queryable: false,
};

export type SubscriptionProperties = StoredPropertiesOf<typeof subscriptionProperties>;

import { controlEventEntity } from './control-event.entity';
import { credentialEntity, credentialSourceIpEntity } from './credential.entity';
import { decisionEntity } from './decision.entity';
import { failureBucketEntity } from './failure-bucket.entity';
import { identityEntity } from './identity.entity';
import { policyVersionEntity } from './policy-version.entity';
import { producerSequenceEntity, projectorCheckpointEntity, projectorStatusEntity } from './projector.entity';
import { revocationEntity } from './revocation.entity';

export const ENTITIES = [
  decisionEntity,
  controlEventEntity,
  identityEntity,
  credentialEntity,
  credentialSourceIpEntity,
  failureBucketEntity,
  policyVersionEntity,
  revocationEntity,
  projectorCheckpointEntity,
  projectorStatusEntity,
  producerSequenceEntity,
] as const;

export type { ControlEventEntity } from './control-event.entity';
export type { CredentialEntity, CredentialSourceIpEntity } from './credential.entity';
export type { DecisionEntity, DecisionRow } from './decision.entity';
export type { FailureBucketEntity } from './failure-bucket.entity';
export type { IdentityEntity, IdentityKind } from './identity.entity';
export type { PolicyVersionEntity } from './policy-version.entity';
export type { ProducerSequenceEntity, ProducerState, ProjectorCheckpointEntity, ProjectorStatusEntity } from './projector.entity';
export type { TableColumns, Written } from './columns';
export type { RevocationEntity } from './revocation.entity';

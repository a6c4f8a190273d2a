// Per-operation DataLoaders: a page of identities with their credentials is one query for the
// page and one for all their credentials, whatever the page size (tested by counting queries).
import DataLoader from 'dataloader';
import {
  type CredentialView,
  type IdentityView,
  type QueryRunnerLike,
  findCredentialsByFingerprints,
  findCredentialsByUsernames,
  findIdentitiesByUsernames,
} from '@authtrail/read-model';

export interface Loaders {
  readonly identityByUsername: DataLoader<string, IdentityView | null>;
  readonly credentialByFingerprint: DataLoader<string, CredentialView | null>;
  readonly credentialsByUsername: DataLoader<string, readonly CredentialView[]>;
}

export function createLoaders(db: QueryRunnerLike, options: { readonly cache?: boolean; readonly maxBatchSize?: number } = {}): Loaders {
  const loaderOptions = { maxBatchSize: options.maxBatchSize ?? 500, cache: options.cache ?? true };
  return {
    identityByUsername: new DataLoader(
      async (usernames) => {
        const rows = await findIdentitiesByUsernames(db, usernames);
        const byName = new Map(rows.map((r) => [r.username, r]));
        return usernames.map((u) => byName.get(u) ?? null);
      },
      loaderOptions,
    ),
    credentialByFingerprint: new DataLoader(
      async (fingerprints) => {
        const rows = await findCredentialsByFingerprints(db, fingerprints);
        const byKey = new Map(rows.map((r) => [r.fingerprint, r]));
        return fingerprints.map((f) => byKey.get(f) ?? null);
      },
      loaderOptions,
    ),
    credentialsByUsername: new DataLoader(
      async (usernames) => {
        const rows = await findCredentialsByUsernames(db, usernames);
        const byName = new Map<string, CredentialView[]>();
        for (const row of rows) {
          if (row.username === null) continue;
          const list = byName.get(row.username) ?? [];
          list.push(row);
          byName.set(row.username, list);
        }
        return usernames.map((u) => byName.get(u) ?? []);
      },
      loaderOptions,
    ),
  };
}

// The floors of issue #19's targets as the work of one request, with none of authtrail's code:
// what any service that keeps authtrail's audit must do per decision. bench/authn and bench/peers
// serve them from bare fastify handlers beside authtrail, so a target below its floor is shown to
// be out of reach on the machine, not merely unmet.
import { verify, type KeyObject } from 'node:crypto';
import type { BusRecord, Publisher } from '@authtrail/event-bus';
import { auditedFloor } from './audited-floor';
import { offThreadRs256Verifier, type OffThreadVerifier } from './off-thread-verify';

export type JwtClaims = Readonly<Record<string, unknown>>;

/** The payload of a compact JWT, unverified. */
export function claimsOf(token: string): JwtClaims {
  return JSON.parse(Buffer.from(token.slice(token.indexOf('.') + 1, token.lastIndexOf('.')), 'base64url').toString('utf8')) as JwtClaims;
}

export interface FloorWork {
  /** A cached decision's least: one audited decision (bench/shared/audited-floor.ts), its record handed to Kafka. */
  audited(credential: string): Promise<void>;
  /**
   * An uncached JWT decision's least: the RS256 signature checked over the split token and the
   * claims read, then the same audited decision. The claims, or undefined when the signature fails.
   */
  verifiedAndAudited(token: string): Promise<JwtClaims | undefined>;
  /** The same with the signature checked on a second thread (off-thread-verify.ts): do two cores gain? */
  verifiedOffThreadAndAudited(token: string): Promise<JwtClaims | undefined>;
  close(): Promise<void>;
}

/** The signing input and the decoded signature of a compact JWS; undefined when it has no three segments. */
function splitJws(token: string): { readonly signingInput: Buffer; readonly signature: Buffer } | undefined {
  const lastDot = token.lastIndexOf('.');
  const firstDot = token.indexOf('.');
  if (firstDot < 0 || lastDot === firstDot) return undefined;
  return { signingInput: Buffer.from(token.slice(0, lastDot)), signature: Buffer.from(token.slice(lastDot + 1), 'base64url') };
}

/** `template`: the decision record whose topic, key and headers every floor record reuses. */
export function floorWork(publisher: Publisher, template: BusRecord, rs256Key: KeyObject): FloorWork {
  const floor = auditedFloor();
  // Started on first use: the servers that never verify off the thread carry no worker (bench/peers reports RSS).
  let offThread: OffThreadVerifier | undefined;
  const audited = async (credential: string) => void publisher.publish({ ...template, value: await floor.decideInTurn(credential) });
  const claimsAudited = async (token: string) => {
    const claims = claimsOf(token);
    await audited(token);
    return claims;
  };
  return {
    audited,
    async verifiedAndAudited(token) {
      const jws = splitJws(token);
      if (jws === undefined || !verify('sha256', jws.signingInput, rs256Key, jws.signature)) return undefined;
      return claimsAudited(token);
    },
    async verifiedOffThreadAndAudited(token) {
      const jws = splitJws(token);
      if (jws === undefined || !(await (offThread ??= offThreadRs256Verifier(rs256Key)).verify(jws.signingInput, jws.signature))) return undefined;
      return claimsAudited(token);
    },
    close: async () => {
      floor.close();
      await offThread?.close();
    },
  };
}

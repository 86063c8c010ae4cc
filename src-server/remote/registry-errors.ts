import { RemoteProtocolError } from './errors';
import type { RemoteResponse } from './transport';

/** Largest error body read. */
const MAX_ERROR_BODY = 64 << 10;

/** The first entry of a Distribution error body (`{"errors":[{code,message,detail}]}`). */
export interface RegistryErrorEntry {
  code: string | null;
  message: string | null;
}

/** Reads an error body's first entry; nulls when there is none or it is not the spec's JSON. */
export async function readRegistryError(res: RemoteResponse): Promise<RegistryErrorEntry> {
  let text: string;
  try {
    text = (await res.bytes(MAX_ERROR_BODY)).toString('utf8');
  } catch {
    return { code: null, message: null };
  }
  try {
    const body = JSON.parse(text) as { errors?: Array<{ code?: unknown; message?: unknown }> };
    const first = body.errors?.[0];
    return {
      code: typeof first?.code === 'string' ? first.code : null,
      message: typeof first?.message === 'string' ? first.message : null,
    };
  } catch {
    return { code: null, message: null };
  }
}

/**
 * A RemoteProtocolError for an unexpected answer, with the registry's own code and message when it
 * sent them (e.g. "DIGEST_INVALID: provided digest did not match uploaded content").
 */
export async function registryFailure(res: RemoteResponse, base: string, what: string): Promise<RemoteProtocolError> {
  const e = await readRegistryError(res);
  const said = e.code || e.message ? `: ${[e.code, e.message].filter(Boolean).join(': ')}` : '';
  return new RemoteProtocolError(`${base} answered ${res.status} to ${what}${said}`, base, res.status, e.code ?? undefined);
}

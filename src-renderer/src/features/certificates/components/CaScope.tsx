/**
 * What Berth's CA may vouch for (its name constraints), the warnings when it cannot vouch for what
 * is needed (an old CA without constraints, names left out of the server certificate), and the
 * confirmation of a new CA, which every client must trust again.
 */
import { Alert, Button, Code, Modal, Stack, Text } from '@mantine/core';
import type { CertificatesInfo } from '../../../../../src-server/contract';
import { ConfirmButtons } from '../../../app/common';

/** The CA's scope in a sentence, or why there is none. */
export function CaScopeText({ info }: { info: CertificatesInfo }) {
  if (info.caScope) {
    return (
      <Text size="sm" c="dimmed" data-testid="cert-ca-scope">
        Berth's CA may vouch only for <b>{info.caScope.dns.join(', ') || 'no names'}</b> (each with its subdomains) and the addresses{' '}
        <b>{info.caScope.ip.join(', ') || 'none'}</b>, so a stolen key cannot impersonate other sites. A name outside those needs a new CA, which every
        client must then trust (a new bundle).
      </Text>
    );
  }
  return (
    <Text size="sm" c="dimmed" data-testid="cert-ca-scope">
      Berth's CA vouches only for this machine's names, its local addresses (loopback and the LAN ranges) and the names it was made with. A name outside
      those needs a new CA, which every client must then trust (a new bundle).
    </Text>
  );
}

/** The warnings about the CA's scope, each with the way out (a new CA). */
export function CaScopeWarnings({ info, onNewCa }: { info: CertificatesInfo; onNewCa: () => void }) {
  return (
    <>
      {info.caUnconstrained && (
        <Alert color="orange" title="The CA can vouch for any site" data-testid="cert-ca-unconstrained">
          <Stack gap="xs">
            <Text size="sm">
              Berth made this CA before it limited what a CA may vouch for: every machine that trusts it would accept a certificate it signed for any website.
              Replace it with a CA limited to this registry's names; every client must then install the new bundle.
            </Text>
            <Button size="xs" variant="default" onClick={onNewCa} data-testid="cert-replace-ca" w="fit-content">
              Replace the CA…
            </Button>
          </Stack>
        </Alert>
      )}
      {info.outsideCa.length > 0 && (
        <Alert color="yellow" title="Names left out of the server certificate" data-testid="cert-outside-ca">
          <Stack gap="xs">
            <Text size="sm">
              {info.outsideCa.join(', ')} {info.outsideCa.length > 1 ? 'are' : 'is'} outside what the CA may vouch for, so clients dialing{' '}
              {info.outsideCa.length > 1 ? 'them' : 'it'} are refused. A new CA can cover {info.outsideCa.length > 1 ? 'them' : 'it'}.
            </Text>
            <Button size="xs" variant="default" onClick={onNewCa} data-testid="cert-outside-new-ca" w="fit-content">
              Make a new CA…
            </Button>
          </Stack>
        </Alert>
      )}
    </>
  );
}

/** Confirms making a new CA (and a server certificate) for `names`. */
export function NewCaModal({ opened, names, busy, onCancel, onConfirm }: { opened: boolean; names: string[]; busy: boolean; onCancel: () => void; onConfirm: () => void }) {
  return (
    <Modal opened={opened} onClose={onCancel} title="Make a new CA?">
      <Stack>
        <Text size="sm">
          Berth makes a new certificate authority that may vouch for this machine's names and local addresses
          {names.length ? <> and for <Code>{names.join(', ')}</Code></> : null}, and issues a new server certificate signed by it.
        </Text>
        <Alert color="orange" title="Every client must trust the new CA">
          Clients that installed the current CA refuse the registry until they install the new client bundle (below, or{' '}
          <Code>berth cert bundle</Code>). The old CA stops being used.
        </Alert>
        <ConfirmButtons confirmLabel="Make a new CA" onCancel={onCancel} onConfirm={onConfirm} busy={busy} testId="cert-new-ca-confirm" destructive />
      </Stack>
    </Modal>
  );
}

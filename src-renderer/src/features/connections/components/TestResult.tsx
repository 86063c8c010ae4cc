/** The answer of `connections:test` in words: what worked, or what failed and what to do about it. */
import { Alert, Badge, Button, Group, List, Stack, Text } from '@mantine/core';
import type { ConnectionTestResult, PeerCertificate } from '../../../../../src-server/contract';
import { ApiCallError } from '../../../api/app-api';
import { describeError } from '../../../api/errors';
import { CopyField } from '../../../app/common';
import { formatDate } from '../../../app/format';

/** What to do about each failure. */
const HINTS: Record<string, string> = {
  UNREACHABLE: 'Check the URL, the port and that the registry runs and can be reached from this computer.',
  AUTH_FAILED: 'Wrong user name or password. For GHCR and Docker Hub use a personal access token as the password.',
  AUTH_REQUIRED: 'This registry needs a user name and password (or token) before it answers.',
  CERT_UNTRUSTED: 'The certificate is not signed by a CA this computer trusts. Check it below: trust it only if it is the one you expect.',
  TLS_ERROR: 'The secure connection failed: check the URL (https:// or http://) and the port.',
  NOT_A_REGISTRY: 'Something answered, but not a container registry: check the URL (no /v2 needed).',
  RATE_LIMITED: 'The registry limits requests for now: wait a little and try again (logging in raises the limit on Docker Hub).',
};

const AUTH_SCHEMES: Record<ConnectionTestResult['authScheme'], string> = {
  none: 'no login asked',
  basic: 'basic (user name and password)',
  bearer: 'bearer tokens',
};

/** A certificate as shown before trusting it. */
export function CertificateDetails({ cert }: { cert: PeerCertificate }) {
  return (
    <Stack gap={4} data-testid="connection-test-certificate">
      <Text size="sm">
        <b>Subject:</b> {cert.subject}
      </Text>
      <Text size="sm">
        <b>Issuer:</b> {cert.issuer} {cert.selfSigned && <Badge size="xs" color="yellow">self-signed</Badge>}
      </Text>
      <Text size="sm">
        <b>Names:</b> {cert.names.length ? cert.names.join(', ') : 'none'}
      </Text>
      <Text size="sm">
        <b>Valid:</b> {formatDate(cert.validFrom)} to {formatDate(cert.validTo)}
      </Text>
      <Text size="sm" fw={700}>
        SHA-256 fingerprint
      </Text>
      <CopyField value={cert.fingerprintSha256} label="fingerprint" />
    </Stack>
  );
}

/** The result of a test; `onTrust` offers to pin an untrusted certificate. */
export function TestResult({ result, onTrust, testId = 'connection-test-result' }: { result: ConnectionTestResult; onTrust?: (fingerprint: string) => void; testId?: string }) {
  if (result.ok) {
    return (
      <Alert color="green" title="The registry answered" data-testid={testId} role="status">
        <List size="sm" spacing={2}>
          <List.Item>
            {result.url} in {Math.round(result.latencyMs)} ms
          </List.Item>
          <List.Item>Login: {AUTH_SCHEMES[result.authScheme]}</List.Item>
          <List.Item>
            {result.catalog ? 'Its repositories can be listed (catalog).' : 'It does not list its repositories (no catalog): add the repositories by name.'}
          </List.Item>
        </List>
      </Alert>
    );
  }
  const code = result.error?.code ?? 'INTERNAL';
  const words = describeError(new ApiCallError('connections:test', { code, message: result.error?.message ?? 'the test failed' }));
  const cert = code === 'CERT_UNTRUSTED' ? result.certificate : null;
  return (
    <Alert color="red" title={words.title} data-testid={testId} data-code={code} role="alert">
      <Stack gap="xs">
        <Text size="sm">{HINTS[code] ?? words.message}</Text>
        {HINTS[code] && (
          <Text size="xs" c="dimmed">
            {words.message}
          </Text>
        )}
        {cert && <CertificateDetails cert={cert} />}
        {cert && onTrust && (
          <Group>
            <Button size="xs" variant="light" onClick={() => onTrust(cert.fingerprintSha256)}>
              Trust this certificate
            </Button>
          </Group>
        )}
      </Stack>
    </Alert>
  );
}

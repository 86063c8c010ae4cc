/** One certificate's details: subject, issuer, names, validity, fingerprint. */
import { Badge, Card, Group, Table, Text, Title } from '@mantine/core';
import type { CertificateDto } from '../../../../../src-server/contract';
import { CopyField } from '../../../app/common';
import { formatDate } from '../../../app/format';

/** A card for `cert` (or a sentence when there is none yet). */
export function CertificateCard({ title, cert, testId, missing }: { title: string; cert: CertificateDto | null; testId: string; missing: string }) {
  return (
    <Card withBorder padding="lg" data-testid={testId} aria-label={title} component="section">
      <Title order={4} mb="sm">
        {title}
      </Title>
      {!cert ? (
        <Text c="dimmed">{missing}</Text>
      ) : (
        <Table variant="vertical" withTableBorder={false} layout="fixed">
          <Table.Tbody>
            <Row label="Subject">{cert.subject}</Row>
            <Row label="Issuer">{cert.issuer}</Row>
            <Row label="Names">
              <Group gap={4} data-testid={`${testId}-names`}>
                {cert.names.length === 0 ? <Text c="dimmed">none</Text> : cert.names.map((n) => <Badge key={n} variant="light" tt="none">{n}</Badge>)}
              </Group>
            </Row>
            <Row label="Valid from">{formatDate(cert.validFrom)}</Row>
            <Row label="Valid to">{formatDate(cert.validTo)}</Row>
            <Row label="Days left">
              <Text span fw={500} c={cert.daysLeft < 0 ? 'red' : cert.daysLeft < 30 ? 'orange' : undefined} data-testid={`${testId}-days-left`}>
                {cert.daysLeft < 0 ? `expired ${-cert.daysLeft} days ago` : `${cert.daysLeft} days`}
                {cert.daysLeft >= 0 && cert.daysLeft < 30 ? ' — renew soon' : ''}
              </Text>
            </Row>
            <Row label="SHA-256 fingerprint">
              <CopyField value={cert.fingerprintSha256} label={`${title} fingerprint`} />
            </Row>
            <Row label="File">
              <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                {cert.path}
              </Text>
            </Row>
          </Table.Tbody>
        </Table>
      )}
    </Card>
  );
}

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <Table.Tr>
      <Table.Th w={170}>{label}</Table.Th>
      <Table.Td style={{ wordBreak: 'break-word' }}>{children}</Table.Td>
    </Table.Tr>
  );
}

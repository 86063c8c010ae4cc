/** What a known referrer format says, as a few facts (SPDX, CycloneDX, cosign signature, in-toto). Every value is text. */
import { Code, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import type { ReferrerFormatSummary } from '../../../../../src-server/contract';
import { count } from '../../../app/format';

const TITLES: Record<ReferrerFormatSummary['format'], string> = {
  spdx: 'SPDX SBOM',
  cyclonedx: 'CycloneDX SBOM',
  'cosign-signature': 'cosign signature',
  'in-toto': 'in-toto attestation',
};

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      {/* A div: a fact may hold a block (claims as code), which a paragraph cannot. */}
      <Text size="sm" component="div" style={{ overflowWrap: 'anywhere', whiteSpace: 'pre-line' }}>
        {children}
      </Text>
    </Stack>
  );
}

/** The facts of one summary. */
export function ReferrerSummaryView({ summary }: { summary: ReferrerFormatSummary }) {
  return (
    <Stack gap="xs" data-testid={`referrer-summary-${summary.format}`}>
      <Title order={5}>{TITLES[summary.format]}</Title>
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
        {facts(summary)}
      </SimpleGrid>
    </Stack>
  );
}

function facts(s: ReferrerFormatSummary): ReactNode {
  const none = '—';
  switch (s.format) {
    case 'spdx':
      return (
        <>
          <Fact label="Document">{s.name ?? none}</Fact>
          <Fact label="Version">{s.spdxVersion ?? none}</Fact>
          <Fact label="Packages">{count(s.packages, 'package')}</Fact>
          <Fact label="Created">{s.created ?? none}</Fact>
          <Fact label="Creators">{s.creators.length ? s.creators.join(', ') : none}</Fact>
        </>
      );
    case 'cyclonedx':
      return (
        <>
          <Fact label="Describes">{s.describes ?? none}</Fact>
          <Fact label="Format">{`${s.bomFormat} ${s.specVersion ?? ''}`.trim()}</Fact>
          <Fact label="Components">{count(s.components, 'component')}</Fact>
          <Fact label="Serial number">{s.serialNumber ?? none}</Fact>
        </>
      );
    case 'cosign-signature':
      return (
        <>
          <Fact label="Signed image">{s.dockerReference ?? none}</Fact>
          <Fact label="Signed digest">{s.manifestDigest ?? none}</Fact>
          <Fact label="Type">{s.type ?? none}</Fact>
          <Fact label="Signature">{s.signed ? 'present (not verified by Berth)' : 'none in the annotations'}</Fact>
          {Object.keys(s.optional).length > 0 && (
            <Fact label="Claims">
              <Code block>{Object.entries(s.optional).map(([k, v]) => `${k}=${v}`).join('\n')}</Code>
            </Fact>
          )}
        </>
      );
    case 'in-toto':
      return (
        <>
          <Fact label="Predicate type">{s.predicateType ?? none}</Fact>
          <Fact label="Statement">{s.statementType ?? none}</Fact>
          <Fact label="Envelope">{s.envelope ? `DSSE, ${count(s.signatures, 'signature')} (not verified by Berth)` : 'none (a bare statement)'}</Fact>
          <Fact label={`Subjects (${s.subjectCount})`}>
            {s.subjects.map((x) => `${x.name} ${Object.entries(x.digest).map(([alg, v]) => `${alg}:${v}`).join(' ')}`).join('\n') || none}
          </Fact>
        </>
      );
  }
}

/**
 * Importing by dropping a .tar anywhere on the window: while files are dragged over it an overlay
 * says what a drop does; a dropped file opens the import dialog. Only for users who may push
 * somewhere (the server checks each image again).
 */
import { Overlay, Stack, Text, Title } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { notifications } from '@mantine/notifications';
import { ImportArchiveModal } from './ImportArchiveModal';

/** True when a drag carries files (not text or a link dragged within the page). */
function carriesFiles(e: DragEvent): boolean {
  return Array.from(e.dataTransfer?.types ?? []).includes('Files');
}

/** The overlay and the dialog; mounted once, in the shell. */
export function ArchiveDropTarget() {
  const [dragging, setDragging] = useState(false);
  const [file, setFile] = useState<File | null>(null);
  // dragenter and dragleave fire for every child crossed: count them to know when the drag left the window.
  const depth = useRef(0);

  useEffect(() => {
    const enter = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      e.preventDefault();
      depth.current++;
      setDragging(true);
    };
    const over = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      // Without this the browser opens the file instead of letting the page have the drop.
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    };
    const leave = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      depth.current = Math.max(0, depth.current - 1);
      if (depth.current === 0) setDragging(false);
    };
    const drop = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      e.preventDefault();
      depth.current = 0;
      setDragging(false);
      const files = Array.from(e.dataTransfer?.files ?? []);
      if (files.length !== 1) {
        notifications.show({ color: 'yellow', title: 'One archive at a time', message: `${files.length} files were dropped: drop one OCI or docker archive (.tar).` });
        return;
      }
      setFile(files[0]!);
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragover', over);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
    };
  }, []);

  return (
    <>
      {dragging && (
        <Overlay fixed blur={2} zIndex={400} center data-testid="archive-drop-overlay">
          <Stack align="center" gap="xs" p="xl" style={{ pointerEvents: 'none' }}>
            <Title order={2} c="white">
              Drop to import
            </Title>
            <Text c="white">Drop an OCI or docker archive to import it into the local registry</Text>
          </Stack>
        </Overlay>
      )}
      <ImportArchiveModal file={file} onClose={() => setFile(null)} />
    </>
  );
}

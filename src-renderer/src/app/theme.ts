/** Berth's Mantine theme: one primary colour, system fonts, dark and light from the OS by default. */
import { createTheme, Modal } from '@mantine/core';

/** The theme both color schemes use. */
export const theme = createTheme({
  primaryColor: 'indigo',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  fontFamilyMonospace: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
  defaultRadius: 'md',
  components: {
    // Mantine's close button is an icon alone: every dialog's gets a name screen readers can say.
    Modal: Modal.extend({ defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } }),
  },
});

/**
 * A search box bound to the `q` of the address: what is typed goes into the address (debounced,
 * replacing the entry so Back skips the keystrokes), and an address changed from outside (Back, a
 * link, a reload) puts its search back in the box.
 */
import { useDebouncedValue } from '@mantine/hooks';
import { useEffect, useRef, useState } from 'react';

/** The box's text and its setter; `commit` writes a settled search into the address. */
export function useAddressSearch(q: string, commit: (q: string) => void): [string, (text: string) => void] {
  const [text, setText] = useState(q);
  const [settled] = useDebouncedValue(text.trim(), 250);
  // The last search this box wrote or took from the address: tells our own changes from others'.
  const known = useRef(q);
  const commitRef = useRef(commit);
  commitRef.current = commit;
  useEffect(() => {
    if (settled === known.current) return;
    known.current = settled;
    commitRef.current(settled);
  }, [settled]);
  useEffect(() => {
    if (q === known.current) return;
    known.current = q;
    setText(q);
  }, [q]);
  return [text, setText];
}

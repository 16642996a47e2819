import { useEffect, useRef } from 'react';

// Keyboard shortcuts for the workflow's decisions: Alt+S Save, Alt+A Apply, Alt+K Keep, Alt+R Revert.
// Matched on the physical key (event.code), because Alt+letter types another character on macOS.

export type ShortcutKey = 'S' | 'A' | 'K' | 'R';

/** Calls `run` on Alt+key while `enabled`; the latest `run` is used without re-registering. */
export function useShortcut(key: ShortcutKey, enabled: boolean, run: () => void): void {
  const latest = useRef(run);
  useEffect(() => {
    latest.current = run;
  });
  useEffect(() => {
    if (!enabled) return;
    const onKey = (e: KeyboardEvent): void => {
      if (!e.altKey || e.ctrlKey || e.metaKey || e.shiftKey || e.code !== `Key${key}`) return;
      e.preventDefault();
      latest.current();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [key, enabled]);
}

/** The shortcut as shown on its button (hidden from the accessible name, which aria-keyshortcuts carries). */
export function Kbd(props: { keyName: ShortcutKey }) {
  return <kbd aria-hidden="true">Alt+{props.keyName}</kbd>;
}

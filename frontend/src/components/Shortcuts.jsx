// Keyboard shortcuts: the list (shown by the "keys" button or `?`) and the key handler.

export const SHORTCUTS = [
  ['Space', 'pause / resume'],
  ['.', 'step one tick (pauses first)'],
  ['+ / -', 'faster / slower'],
  ['f', 'follow the selected satellite'],
  ['/', 'search'],
  ['Esc', 'clear selection and search'],
  ['?', 'this list'],
];

/** True if a key press in `target` belongs to that element (typing, or Space on a button). */
export function keyBelongsToTarget(key, target) {
  const tag = target?.tagName;
  if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || target?.isContentEditable) return true;
  if (key === ' ' && (tag === 'BUTTON' || tag === 'A' || tag === 'SUMMARY')) return true;
  return false;
}

export default function ShortcutHelp({ onClose }) {
  return (
    <div className="shortcuts panel" role="dialog" aria-label="keyboard shortcuts" data-testid="shortcuts">
      <header className="panel-title">Keyboard <span className="spacer" />
        <button type="button" className="btn btn-x" onClick={onClose} aria-label="close the shortcut list">×</button>
      </header>
      <dl>{SHORTCUTS.map(([k, what]) => <div key={k}><dt><kbd>{k}</kbd></dt><dd>{what}</dd></div>)}</dl>
      <p className="muted">Tab moves through every control; the focused one is outlined.</p>
    </div>
  );
}

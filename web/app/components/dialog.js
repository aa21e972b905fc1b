// dialog.js - a modal on the native <dialog> element: it traps focus, closes on Escape and gives
// the focus back to the button that opened it, with no code of ours.
import { html, useEffect, useRef, useId } from '../lib/html.js';

export function Dialog({ open, title, onClose, children }) {
  const ref = useRef(null);
  const id = useId();
  useEffect(() => {
    const d = ref.current;
    if (open && !d.open) d.showModal();
    else if (!open && d.open) d.close();
  }, [open]);
  return html`
    <dialog ref=${ref} aria-labelledby=${`${id}-title`} onClose=${onClose}>
      <div class="dialog-head">
        <h2 id=${`${id}-title`}>${title}</h2>
        <button type="button" class="icon" aria-label="Close" onClick=${onClose}>×</button>
      </div>
      ${open && children}
    </dialog>`;
}

// deal-move.js - the form that moves a deal to another stage, wins it, loses it (a lost deal needs
// the reason) or reopens it: one select of the stages of the deal's list, Enter or the button
// sends PATCH /api/v1/deals/{id} (lib/deals.js, moveDeal); Enter on the select sends it too. Used by the pipeline board's "Move…"
// dialog (also after a drop on Won or Lost) and by the deal page. The API's refusal is shown.
import { html, useState, useId, useRef } from '../lib/html.js';
import { moveDeal, moveVerb } from '../lib/deals.js';
import { FormError } from './states.js';

// stages: the deal's list (lib/deals.js, stagesForDeal). initial: the id of the stage to offer
// first. onMoved(deal) gets the server's answer. autoFocus: in a dialog, which focuses the select
// (or, when losing was asked for, the reason) as it opens.
export function StageMove({ deal, stages, initial, onMoved, onCancel, autoFocus }) {
  const id = useId();
  const closed = deal.outcome && deal.outcome !== 'open';
  // a closed deal can only be reopened (to an open stage); an open one goes anywhere else
  const choices = stages.filter((s) => s.id !== deal.stage_id && (!closed || s.kind === 'open'));
  const first = choices.find((s) => s.id === initial) || choices[0];
  const [to, setTo] = useState(first ? String(first.id) : '');
  const [reason, setReason] = useState(deal.loss_reason || '');
  const [reasonError, setReasonError] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const select = useRef(null);
  const reasonRef = useRef(null);

  const target = choices.find((s) => String(s.id) === to);
  if (choices.length === 0) return html`<p class="hint">There is no other stage to move this deal to.</p>`;

  async function submit(e) {
    e.preventDefault();
    if (!target) return;
    setError(null);
    setReasonError(null);
    if (target.kind === 'lost' && !reason.trim()) {
      setReasonError('Give the reason the deal was lost (e.g. price, timing, a competitor).');
      if (reasonRef.current) reasonRef.current.focus();
      return;
    }
    setBusy(true);
    try {
      const updated = await moveDeal(deal, target, { lossReason: reason.trim() });
      onMoved(updated, target);
    } catch (err) {
      setError(err);
      if (err.field === 'loss_reason') setReasonError(err.message);
    } finally {
      setBusy(false);
    }
  }

  const label = (s) => (s.kind === 'won' ? `${s.name} (win the deal)` : s.kind === 'lost' ? `${s.name} (lose the deal)` : s.name);
  return html`
    <form class="stage-move" onSubmit=${submit} data-deal=${deal.id}>
      <${FormError} error=${error && error.field !== 'loss_reason' ? error : null} />
      <div class="field">
        <label for=${`${id}-to`}>${closed ? 'Reopen in stage' : 'Move to'}</label>
        <select id=${`${id}-to`} ref=${select} value=${to} autofocus=${autoFocus && !(first && first.kind === 'lost')}
          onChange=${(e) => { setTo(e.target.value); setReasonError(null); }}
          onKeyDown=${(e) => { if (e.key === 'Enter') { e.preventDefault(); e.currentTarget.form.requestSubmit(); } }}>
          ${choices.map((s) => html`<option value=${String(s.id)}>${label(s)}</option>`)}
        </select>
      </div>
      ${target && target.kind === 'lost' && html`
        <div class=${`field${reasonError ? ' has-error' : ''}`}>
          <label for=${`${id}-reason`}>Loss reason<span class="req" aria-hidden="true"> *</span></label>
          <input id=${`${id}-reason`} ref=${reasonRef} maxLength="200" value=${reason} aria-required="true"
            autofocus=${autoFocus && first && first.kind === 'lost' && target === first}
            aria-invalid=${reasonError ? 'true' : undefined} aria-describedby=${reasonError ? `${id}-reason-error` : undefined}
            onInput=${(e) => setReason(e.target.value)} />
          ${reasonError && html`<p class="field-error" id=${`${id}-reason-error`}>${reasonError}</p>`}
        </div>`}
      <div class="form-actions">
        <button type="submit" disabled=${busy}>${busy ? 'Saving…' : target ? moveVerb(deal, target) : 'Move'}</button>
        ${onCancel && html`<button type="button" class="secondary" onClick=${onCancel}>Cancel</button>`}
      </div>
    </form>`;
}
